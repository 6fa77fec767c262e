import { type FriendEvent, isFriendEvent } from '../../functions/contract/events';
import {
  applyEvent,
  type FriendGraphStore,
  inRange,
  type PairChange,
  type SnapshotRange,
} from '../../functions/friend-graph/friend-graph';
import { type GraphRow, type OwnerView, ownerView } from '../../functions/friend-graph/graph-view';
import { addCounters, type SweepCounters, zeroCounters } from '../../functions/reconcile/differences';
import { mirrorGeneration } from '../../functions/reconcile/mirror-generation';
import type {
  GraphReader,
  MirrorStore,
  SnapshotCounters,
  SnapshotProgress,
  SweepLock,
  SweepRecords,
  UserMirror,
} from '../../functions/reconcile/ports';
import type { RepairDraft } from '../../functions/reconcile/repairs';
import { zeroSnapshotCounters } from '../../functions/reconcile/snapshot-part';

/**
 * In-memory implementations of the reconciler's ports, for unit tests and the benchmark (where a
 * million graph rows in dynalite would measure dynalite). Same contracts as the DynamoDB adapters,
 * which the integration tests check against a real local DynamoDB.
 */

/** The friend graph: registers last-writer-wins by version, as the DynamoDB table keeps them. */
export class InMemoryGraph implements FriendGraphStore, GraphReader {
  private readonly owners = new Map<string, Map<string, GraphRow & Record<string, string>>>();
  /** Each segment's owners, sorted, until an owner is added. */
  private segments = new Map<string, string[]>();

  async apply(change: PairChange): Promise<boolean> {
    let rows = this.owners.get(change.ownerUserID);
    if (!rows) {
      rows = new Map();
      this.owners.set(change.ownerUserID, rows);
      this.segments.clear();
    }
    const row = rows.get(change.otherUserID) ?? { otherUserID: change.otherUserID };
    rows.set(change.otherUserID, row);
    const versionKey = `${change.register}Version`;
    const stored = row[versionKey];
    if (stored !== undefined && stored >= change.version) return false;
    row[change.register] = change.value;
    row[versionKey] = change.version;
    return true;
  }

  async storedOthers(ownerUserID: string, covers: SnapshotRange): Promise<string[]> {
    return [...(this.owners.get(ownerUserID)?.keys() ?? [])].filter((other) => inRange(other, covers));
  }

  async ownerView(ownerUserID: string): Promise<OwnerView> {
    return ownerView(this.owners.get(ownerUserID)?.values() ?? []);
  }

  /** Owners split by a stable hash of the ID; the cursor is an index into the segment's sorted owners. */
  async ownersPage(segment: number, totalSegments: number, cursor?: string) {
    const key = `${segment}/${totalSegments}`;
    let owners = this.segments.get(key);
    if (!owners) {
      owners = [...this.owners.keys()].filter((owner) => segmentOf(owner, totalSegments) === segment).sort();
      this.segments.set(key, owners);
    }
    const start = cursor === undefined ? 0 : Number(cursor);
    const end = start + 100;
    return { owners: owners.slice(start, end), ...(end < owners.length ? { next: String(end) } : {}) };
  }

  /** Every owner's view, for comparing with OpenIM's lists. */
  async views(): Promise<Map<string, OwnerView>> {
    return new Map(
      await Promise.all([...this.owners.keys()].map(async (owner) => [owner, await this.ownerView(owner)] as const)),
    );
  }

  /** Applies events as the subscriber does. */
  async deliver(events: readonly FriendEvent[]): Promise<void> {
    for (const event of events) await applyEvent(event, this);
  }
}

const segmentOf = (owner: string, totalSegments: number): number =>
  [...owner].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7) % totalSegments;

/** The mirrors, with the DynamoDB store's rule: a save never replaces a newer generation. */
export class InMemoryMirrors implements MirrorStore {
  readonly mirrors = new Map<string, UserMirror>();

  async load(userIDs: readonly string[]) {
    return new Map(
      userIDs.flatMap((userID) => {
        const mirror = this.mirrors.get(userID);
        return mirror ? [[userID, structuredClone(mirror)] as const] : [];
      }),
    );
  }

  async save(mirrors: ReadonlyMap<string, UserMirror>) {
    const superseded: string[] = [];
    for (const [userID, mirror] of mirrors) {
      const stored = this.mirrors.get(userID);
      if (stored && mirrorGeneration(stored) > mirrorGeneration(mirror)) superseded.push(userID);
      else this.mirrors.set(userID, structuredClone(mirror));
    }
    return { superseded: superseded.sort() };
  }
}

/** The sweep records and the lock, with the same rules as the DynamoDB table. */
export class InMemorySweepRecords implements SweepRecords, SweepLock, SnapshotProgress {
  readonly parts = new Map<string, string>();
  readonly snapshots = new Map<string, { counters: SnapshotCounters; unreadable: Set<string> }>();
  readonly sweeps = new Map<string, { startedAt: number; usersListed: number; counters: SweepCounters }>();
  lock: { sweepID: string; expiresAt: number } | undefined;

  async acquire(sweepID: string, expiresAt: number, now: number) {
    if (this.lock && this.lock.sweepID !== sweepID && this.lock.expiresAt > now) {
      return { acquired: false as const, heldBy: this.lock.sweepID };
    }
    this.lock = { sweepID, expiresAt };
    return { acquired: true as const };
  }

  async release(sweepID: string) {
    if (this.lock?.sweepID === sweepID) this.lock = undefined;
  }

  async start(sweepID: string, start: { startedAt: number; usersListed: number }) {
    if (!this.sweeps.has(sweepID)) this.sweeps.set(sweepID, { ...start, counters: zeroCounters() });
  }

  async resumePoint(sweepID: string, part: string) {
    return this.parts.get(`${sweepID}/${part}`);
  }

  async checkpoint(sweepID: string, part: string, cursor: string, counters: SweepCounters) {
    this.parts.set(`${sweepID}/${part}`, cursor);
    await this.count(sweepID, counters);
  }

  async checkpointSnapshot(
    sweepID: string,
    part: string,
    cursor: string,
    counters: SnapshotCounters,
    unreadableUserIDs: readonly string[],
  ) {
    this.parts.set(`${sweepID}/${part}`, cursor);
    const totals = this.snapshots.get(sweepID) ?? { counters: zeroSnapshotCounters(), unreadable: new Set<string>() };
    for (const name of Object.keys(counters) as (keyof SnapshotCounters)[]) totals.counters[name] += counters[name];
    for (const userID of unreadableUserIDs) totals.unreadable.add(userID);
    this.snapshots.set(sweepID, totals);
  }

  async snapshotTotals(sweepID: string) {
    const totals = this.snapshots.get(sweepID);
    return {
      counters: { ...(totals?.counters ?? zeroSnapshotCounters()) },
      unreadableUserIDs: [...(totals?.unreadable ?? [])].sort(),
    };
  }

  async count(sweepID: string, counters: Partial<SweepCounters>) {
    const sweep = this.sweeps.get(sweepID);
    if (sweep) sweep.counters = addCounters(sweep.counters, counters);
  }

  async finish(sweepID: string, end: { status: 'completed' | 'failed'; finishedAt: number; error?: string }) {
    const sweep = this.sweeps.get(sweepID) ?? { startedAt: end.finishedAt, usersListed: 0, counters: zeroCounters() };
    return {
      sweepID,
      status: end.status,
      startedAt: new Date(sweep.startedAt).toISOString(),
      finishedAt: new Date(end.finishedAt).toISOString(),
      usersListed: sweep.usersListed,
      counters: sweep.counters,
      ...(end.error ? { error: end.error } : {}),
    };
  }
}

/** A repair as EventBridge delivers it to a subscriber. */
export const deliveredRepair = (repair: RepairDraft, id: string): FriendEvent => {
  const event = {
    version: '0',
    id,
    'detail-type': repair.detailType,
    source: 'openim',
    account: '000000000000',
    time: repair.detail.receivedAt,
    region: 'us-east-1',
    resources: [],
    detail: repair.detail,
  };
  if (!isFriendEvent(event)) throw new Error(`not a friend event: ${JSON.stringify(event)}`);
  return event;
};
