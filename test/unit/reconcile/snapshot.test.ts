import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { FriendSnapshotCompletedDetail } from '../../../functions/contract/events';
import { finishSnapshot, planSnapshot, planSweep } from '../../../functions/reconcile/plan';
import { runSnapshotPart, type SnapshotPart, type SnapshotPartDeps } from '../../../functions/reconcile/snapshot-part';
import type { SnapshotPartDraft } from '../../../functions/reconcile/snapshot-parts';
import { SnapshotRequestInvalid, snapshotRequestOf } from '../../../functions/reconcile/snapshot-request';
import { PART_DONE } from '../../../functions/reconcile/sweep-part';
import { SweepTelemetry } from '../../../functions/reconcile/telemetry';
import { ModelDirectory } from '../../helpers/openim-port';
import { InMemoryMirrors, InMemorySweepRecords } from '../../helpers/reconciler-fakes';

const NOW = Date.UTC(2026, 11, 6, 3);
const snapshot = { id: 'snap-1', for: 'mine' };

/** Six users: u0 friends with u1 (remark "best"), u1 with u2, u3 blocks u0; u4 and u5 have nothing. */
const setUp = () => {
  const openIm = new ModelDirectory(Array.from({ length: 6 }, (_, index) => `u${index}`));
  openIm.apply({ action: 'import', owner: 'u0', friends: ['u1'] });
  openIm.apply({ action: 'remark', owner: 'u0', friend: 'u1', remark: 'best' });
  openIm.apply({ action: 'import', owner: 'u1', friends: ['u2'] });
  openIm.apply({ action: 'block', owner: 'u3', black: 'u0' });
  const records = new InMemorySweepRecords();
  const published: SnapshotPartDraft[] = [];
  const deps: SnapshotPartDeps = {
    directory: openIm,
    mirrors: new InMemoryMirrors(),
    publish: async (parts) => void published.push(...parts),
    progress: records,
    clock: () => NOW,
    usersInFlight: 2,
    chunkSize: 2,
    deadline: Number.POSITIVE_INFINITY,
  };
  return { openIm, records, published, deps };
};

const pagePart = (pageSize = 10): SnapshotPart => ({
  kind: 'snapshot',
  sweepID: 'snap-1',
  snapshot,
  select: { pageNumber: 1, pageSize },
});

describe('a snapshot part', () => {
  it("sends every listed user's whole lists, addressed to the subscriber, and counts them", async () => {
    const { openIm, records, published, deps } = setUp();
    expect(await runSnapshotPart(pagePart(), deps)).toEqual({ done: true });
    expect(published.map(({ detail }) => detail.ownerUserID).sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']);
    const lists = new Map(published.map(({ detail }) => [detail.ownerUserID, detail]));
    expect(lists.get('u0')).toMatchObject({ friends: [{ friendUserID: 'u1', remark: 'best' }], blackUserIDs: [] });
    expect(lists.get('u3')).toMatchObject({ friends: [], blackUserIDs: ['u0'] });
    for (const [owner, { friends, blacks }] of openIm.lists()) {
      expect(lists.get(owner)?.friends.map((friend) => friend.friendUserID)).toEqual(friends.map((row) => row.userID));
      expect(lists.get(owner)?.blackUserIDs).toEqual(blacks);
      expect(lists.get(owner)?.snapshot).toEqual(snapshot);
    }
    expect(records.parts.get('snap-1/snapshot-page#1')).toBe(PART_DONE);
    expect(await records.snapshotTotals('snap-1')).toEqual({
      counters: { snapshotUsers: 6, snapshotFriendRows: 4, snapshotBlackRows: 1, snapshotParts: 6 },
      unreadableUserIDs: [],
    });
  });

  it('sends only the users asked for (--user)', async () => {
    const { published, deps } = setUp();
    const part: SnapshotPart = { ...pagePart(), select: { batch: 1, userIDs: ['u3', 'u0'] } };
    await runSnapshotPart(part, deps);
    expect(published.map(({ detail }) => detail.ownerUserID).sort()).toEqual(['u0', 'u3']);
  });

  it('names a user whose lists never read consistently, with no part, after trying again', async () => {
    const { openIm, records, published, deps } = setUp();
    // Every friend page of u1 answers null with its true total: the read never settles.
    openIm.answerNullPages('u1', 1_000);
    await runSnapshotPart(pagePart(), deps);
    expect(published.map(({ detail }) => detail.ownerUserID)).not.toContain('u1');
    expect(await records.snapshotTotals('snap-1')).toMatchObject({
      counters: { snapshotUsers: 5 },
      unreadableUserIDs: ['u1'],
    });
  });

  it('costs about two calls per user once the mirrors are fresh', async () => {
    const { openIm, deps } = setUp();
    await runSnapshotPart(pagePart(), deps);
    openIm.calls.clear();
    await runSnapshotPart({ ...pagePart(), sweepID: 'snap-2', snapshot: { ...snapshot, id: 'snap-2' } }, deps);
    // The page of users, then per user its changes since the mirror and its black list.
    expect(Object.fromEntries(openIm.calls)).toEqual({ userPage: 1, friendListChanges: 6, blackPage: 6 });
  });

  it('goes on from its checkpoint after the deadline', async () => {
    let now = NOW;
    const { records, published, deps } = setUp();
    const slow = {
      ...deps,
      clock: () => now,
      deadline: NOW + 1,
      publish: async (parts: SnapshotPartDraft[]) => {
        now += 10;
        published.push(...parts);
      },
    };
    expect(await runSnapshotPart(pagePart(), slow)).toEqual({ done: false });
    expect(records.parts.get('snap-1/snapshot-page#1')).toBe('2');
    expect(await runSnapshotPart(pagePart(), { ...slow, deadline: Number.POSITIVE_INFINITY })).toEqual({ done: true });
    expect(published.map(({ detail }) => detail.ownerUserID).sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']);
  });
});

describe("a snapshot's telemetry", () => {
  it("counts the failed OpenIM requests in the snapshot's record at each checkpoint", async () => {
    const records = new InMemorySweepRecords();
    await records.start('snap-1', { startedAt: NOW, usersListed: 6 });
    const telemetry = new SweepTelemetry(
      new Logger({ logLevel: 'SILENT' }),
      new Metrics({ namespace: 'test', serviceName: 'test' }),
    );
    const failed = {
      endpoint: '/friend/get_black_list',
      outcome: 'timeout' as const,
      attempt: 1,
      startedAtMs: NOW,
      durationMs: 5,
    };
    telemetry.observeCall(failed);
    telemetry.observeCall({ ...failed, attempt: 2 });
    const progress = telemetry.observedSnapshot(records);
    const { deps } = setUp();
    await runSnapshotPart(pagePart(), { ...deps, progress });
    expect(records.sweeps.get('snap-1')?.counters.apiErrors).toBe(2);
    expect(telemetry.takeFailedRequests()).toBe(0);
  });
});

describe('planning and finishing a snapshot', () => {
  const deps = (records: InMemorySweepRecords, directory = new ModelDirectory(['a', 'b', 'c'])) => ({
    directory,
    lock: records,
    records,
    clock: () => NOW,
    pageSize: 2,
    concurrency: 1,
    lockMs: 3_600_000,
  });

  it('lists pages of every user, or batches of the users named', async () => {
    const records = new InMemorySweepRecords();
    expect(await planSnapshot('snap-1', { for: 'mine' }, deps(records))).toEqual({
      locked: true,
      sweepID: 'snap-1',
      snapshot: { id: 'snap-1', for: 'mine' },
      snapshotParts: [
        { pageNumber: 1, pageSize: 2 },
        { pageNumber: 2, pageSize: 2 },
      ],
    });
    await records.release('snap-1');
    const named = await planSnapshot('snap-2', { for: 'mine', users: ['c', 'a', 'b'] }, deps(records));
    expect(named).toMatchObject({
      snapshotParts: [
        { batch: 1, userIDs: ['c', 'a'] },
        { batch: 2, userIDs: ['b'] },
      ],
    });
  });

  it('shares the lock with sweeps: one started while the other runs does nothing, naming it', async () => {
    const records = new InMemorySweepRecords();
    await planSweep('sweep-1', deps(records));
    expect(await planSnapshot('snap-1', { for: 'mine' }, deps(records))).toEqual({
      locked: false,
      sweepID: 'snap-1',
      heldBy: 'sweep-1',
    });
    await records.release('sweep-1');
    await planSnapshot('snap-1', { for: 'mine' }, deps(records));
    expect(await planSweep('sweep-2', deps(records))).toMatchObject({ locked: false, heldBy: 'snap-1' });
  });

  it('publishes FriendSnapshotCompleted with the totals, then releases the lock', async () => {
    const records = new InMemorySweepRecords();
    await planSnapshot('snap-1', { for: 'mine' }, deps(records));
    await records.checkpointSnapshot(
      'snap-1',
      'snapshot-page#1',
      PART_DONE,
      { snapshotUsers: 2, snapshotFriendRows: 3, snapshotBlackRows: 1, snapshotParts: 2 },
      ['c'],
    );
    const completed: FriendSnapshotCompletedDetail[] = [];
    const publishCompleted = async (detail: FriendSnapshotCompletedDetail) => {
      expect(records.lock?.sweepID).toBe('snap-1');
      completed.push(detail);
    };
    const finish = () =>
      finishSnapshot(
        'snap-1',
        { id: 'snap-1', for: 'mine' },
        {
          lock: records,
          records,
          progress: records,
          clock: () => NOW + 5_000,
          publishCompleted,
        },
      );
    await finish();
    expect(completed).toEqual([
      {
        schemaVersion: 1,
        snapshot: { id: 'snap-1', for: 'mine' },
        idempotencyKey: expect.stringMatching(/^[0-9a-f]{64}$/),
        users: 2,
        friendRows: 3,
        blackRows: 1,
        unreadableUserIDs: ['c'],
        startedAt: new Date(NOW).toISOString(),
        completedAt: new Date(NOW + 5_000).toISOString(),
      },
    ]);
    expect(records.lock).toBeUndefined();
    // A retried finish step publishes the completion again, under the same key.
    records.lock = { sweepID: 'snap-1', expiresAt: NOW + 60_000 };
    await finish();
    expect(completed[1]?.idempotencyKey).toBe(completed[0]?.idempotencyKey);
  });

  it('refuses a request that is not valid, naming what is wrong', () => {
    expect(snapshotRequestOf({})).toBeUndefined();
    expect(snapshotRequestOf({ snapshot: { for: 'mine', users: ['a', 'a'] } })).toEqual({ for: 'mine', users: ['a'] });
    const refusal = (input: unknown) => {
      try {
        snapshotRequestOf(input);
      } catch (error) {
        if (error instanceof SnapshotRequestInvalid) return error.message;
      }
      return 'accepted';
    };
    expect(refusal({ snapshot: {} })).toMatch(/^snapshot.for must name the subscriber/);
    expect(refusal({ snapshot: { for: 'has space' } })).toMatch(/^snapshot.for/);
    expect(refusal({ snapshot: { for: 'mine', users: [] } })).toMatch(/^snapshot.users must be a list/);
    expect(refusal({ snapshot: { for: 'mine', users: [7] } })).toMatch(/^snapshot.users holds 7/);
    expect(refusal({ snapshot: { for: 'mine', user: ['a'] } })).toBe(
      'snapshot has unknown fields: user (only "for" and "users")',
    );
    expect(refusal({ snapshot: 'mine' })).toMatch(/^snapshot must be an object/);
  });
});
