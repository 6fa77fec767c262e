import { createHash } from 'node:crypto';
import { DIFFERENCE_KINDS, type DifferenceKind } from '../contract/deployment';
import { EVENT_SCHEMA_VERSION, type FriendSnapshotCompletedDetail, type SnapshotAddress } from '../contract/events';
import { totalDifferences } from './differences';
import type { OpenImDirectory } from './openim-directory';
import type { Clock, SnapshotProgress, SnapshotTotals, SweepLock, SweepRecords, SweepSummary } from './ports';
import type { SnapshotSelection } from './snapshot-part';
import type { SnapshotRequest } from './snapshot-request';

/**
 * The start and the end of a sweep: the lock, the pages the engine fans out over, and the summary.
 */

/** What one user costs when planning a page: a changes call and a black list call, plus room for resyncs. */
const PLANNED_CALLS_PER_USER = 3;
export const PAGE_SIZE_BOUNDS = [25, 10_000] as const;

/**
 * Users per page, so that a page takes about `pageSeconds` at a worker's pace (the total pace
 * shared by the workers running at once). Bounded so that a page stays one OpenIM reply of a
 * reasonable size, and the page list one state of the engine.
 */
export const pageSizeFor = (callsPerSecond: number, concurrency: number, pageSeconds: number): number => {
  const perWorker = callsPerSecond / concurrency;
  const size = Math.floor((perWorker * pageSeconds) / PLANNED_CALLS_PER_USER);
  return Math.min(PAGE_SIZE_BOUNDS[1], Math.max(PAGE_SIZE_BOUNDS[0], size));
};

export type SweepPlan =
  | {
      locked: true;
      sweepID: string;
      pageSize: number;
      /** 1-based page numbers, one worker part each. */
      pages: number[];
      /** Segments of the graph for the orphans phase, one worker part each. */
      segments: number[];
      totalSegments: number;
    }
  | { locked: false; sweepID: string; heldBy: string };

/** A snapshot's parts: OpenIM's pages of users, or batches of the users asked for. */
export type SnapshotPlan =
  | { locked: true; sweepID: string; snapshot: SnapshotAddress; snapshotParts: SnapshotSelection[] }
  | { locked: false; sweepID: string; heldBy: string };

export interface PlanDeps {
  directory: OpenImDirectory;
  lock: SweepLock;
  records: SweepRecords;
  clock: Clock;
  /** The largest page: what a worker does in a page's time at its pace (`pageSizeFor`). */
  pageSize: number;
  /** Workers at once: the orphans phase has a segment each, and the pages are cut small enough to keep them all busy. */
  concurrency: number;
  /** How long the lock holds without a release: the engine's own time limit for a sweep. */
  lockMs: number;
}

/** Pages per worker at least: with fewer, some workers would sit idle while others finish theirs. */
const PAGES_PER_WORKER = 4;

/** Takes the lock (or reports who holds it), asks OpenIM how many users it has, and lists the parts. */
export const planSweep = async (sweepID: string, deps: PlanDeps): Promise<SweepPlan> => {
  const now = deps.clock();
  const lock = await deps.lock.acquire(sweepID, now + deps.lockMs, now);
  if (!lock.acquired) return { locked: false, sweepID, heldBy: lock.heldBy };
  const { total } = await deps.directory.userPage(1, 1);
  await deps.records.start(sweepID, { startedAt: now, usersListed: total });
  const pageSize = busyPageSize(total, deps);
  return {
    locked: true,
    sweepID,
    pageSize,
    pages: Array.from({ length: Math.ceil(total / pageSize) }, (_, index) => index + 1),
    segments: Array.from({ length: deps.concurrency }, (_, index) => index),
    totalSegments: deps.concurrency,
  };
};

/** Pages small enough to keep every worker busy, and no larger than a page's time at a worker's pace. */
const busyPageSize = (total: number, deps: Pick<PlanDeps, 'pageSize' | 'concurrency'>): number => {
  const busy = Math.ceil(total / (deps.concurrency * PAGES_PER_WORKER));
  return Math.min(deps.pageSize, Math.max(PAGE_SIZE_BOUNDS[0], busy));
};

/**
 * A snapshot is a mode of the sweep's engine: it takes the same lock (so a snapshot and a sweep
 * never run at once and never exceed the pace between them; the one started second ends at once,
 * naming the other), then lists its parts: every page of OpenIM's users, or the users named.
 */
export const planSnapshot = async (
  sweepID: string,
  request: SnapshotRequest,
  deps: PlanDeps,
): Promise<SnapshotPlan> => {
  const now = deps.clock();
  const lock = await deps.lock.acquire(sweepID, now + deps.lockMs, now);
  if (!lock.acquired) return { locked: false, sweepID, heldBy: lock.heldBy };
  const snapshot = { id: sweepID, for: request.for };
  const { users } = request;
  if (users !== undefined) {
    await deps.records.start(sweepID, { startedAt: now, usersListed: users.length });
    const size = busyPageSize(users.length, deps);
    const snapshotParts = Array.from({ length: Math.ceil(users.length / size) }, (_, index) => ({
      batch: index + 1,
      userIDs: users.slice(index * size, (index + 1) * size),
    }));
    return { locked: true, sweepID, snapshot, snapshotParts };
  }
  const { total } = await deps.directory.userPage(1, 1);
  await deps.records.start(sweepID, { startedAt: now, usersListed: total });
  const pageSize = busyPageSize(total, deps);
  const snapshotParts = Array.from({ length: Math.ceil(total / pageSize) }, (_, index) => ({
    pageNumber: index + 1,
    pageSize,
  }));
  return { locked: true, sweepID, snapshot, snapshotParts };
};

/** Closes the sweep's record and releases the lock, whether the sweep completed or failed. */
export const finishSweep = async (
  sweepID: string,
  end: { failed: false } | { failed: true; error: string },
  deps: { lock: SweepLock; records: SweepRecords; clock: Clock },
): Promise<SweepSummary> => {
  const summary = await deps.records.finish(sweepID, {
    status: end.failed ? 'failed' : 'completed',
    finishedAt: deps.clock(),
    ...(end.failed ? { error: end.error } : {}),
  });
  await deps.lock.release(sweepID);
  return summary;
};

/**
 * Closes a snapshot whose parts are all on the bus (the engine calls this only after every part is
 * done): the record, then `FriendSnapshotCompleted`, then the lock. A publish that fails fails the
 * step, which the engine retries; the lock is held until the completion is out, so no sweep or
 * other snapshot starts in between.
 */
export const finishSnapshot = async (
  sweepID: string,
  snapshot: SnapshotAddress,
  deps: {
    lock: SweepLock;
    records: SweepRecords;
    progress: SnapshotProgress;
    clock: Clock;
    publishCompleted: (detail: FriendSnapshotCompletedDetail) => Promise<void>;
  },
): Promise<{ summary: SweepSummary; snapshot: SnapshotAddress; totals: SnapshotTotals }> => {
  const summary = await deps.records.finish(sweepID, { status: 'completed', finishedAt: deps.clock() });
  const totals = await deps.progress.snapshotTotals(sweepID);
  await deps.publishCompleted({
    schemaVersion: EVENT_SCHEMA_VERSION,
    snapshot: { id: snapshot.id, for: snapshot.for },
    idempotencyKey: createHash('sha256')
      .update(JSON.stringify(['FriendSnapshotCompleted', snapshot.id, snapshot.for]))
      .digest('hex'),
    users: totals.counters.snapshotUsers,
    friendRows: totals.counters.snapshotFriendRows,
    blackRows: totals.counters.snapshotBlackRows,
    unreadableUserIDs: totals.unreadableUserIDs,
    startedAt: summary.startedAt,
    completedAt: summary.finishedAt,
  });
  await deps.lock.release(sweepID);
  return { summary, snapshot, totals };
};

/**
 * What failed, as `OpenImUnavailable: <message>`: the Cause of a Lambda error in Step Functions is
 * its JSON (message, type, trace), that of the engine's own errors plain text.
 */
export const describeFailure = (failure: { Error?: string; Cause?: string }): string => {
  let message = failure.Cause ?? '';
  try {
    const cause = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    // Not JSON: a Step Functions error's own text.
  }
  const text = `${failure.Error ?? 'Error'}: ${message}`;
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
};

const KIND_WORDS: Record<DifferenceKind, string> = {
  friendAdded: 'friends added',
  friendRemoved: 'friends removed',
  remarkChanged: 'remarks changed',
  blacklistAdded: 'blocks added',
  blacklistRemoved: 'blocks removed',
};

/** The one-line summary `npm run reconcile` prints. */
export const describeSweep = (summary: SweepSummary): string => {
  const { counters } = summary;
  const seconds = Math.round((Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000);
  const kinds = DIFFERENCE_KINDS.map((kind) => `${counters[kind]} ${KIND_WORDS[kind]}`).join(', ');
  const failure = summary.error ? `: ${summary.error}` : '';
  const state = summary.status === 'running' ? 'running for' : `${summary.status} in`;
  const deferred = counters.deferredNewer
    ? `, ${counters.deferredNewer} differences deferred to the next sweep (the graph changed after the read)`
    : '';
  return `sweep ${summary.sweepID} ${state} ${duration(seconds)}${failure}; ${counters.usersChecked} users checked, ${totalDifferences(counters)} differences (${kinds}), ${counters.eventsPublished} repair events published, ${counters.apiErrors} OpenIM API errors${deferred}`;
};

/** The one-line summary `npm run snapshot` prints. */
export const describeSnapshot = (summary: SweepSummary, snapshot: SnapshotAddress, totals: SnapshotTotals): string => {
  const { counters, unreadableUserIDs } = totals;
  const seconds = Math.round((Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000);
  const failure = summary.error ? `: ${summary.error}` : '';
  const state = summary.status === 'running' ? 'running for' : `${summary.status} in`;
  const unreadable =
    unreadableUserIDs.length > 0
      ? `; ${unreadableUserIDs.length} users unreadable (their lists kept changing while read; ask again with --user): ${unreadableUserIDs.slice(0, 10).join(', ')}${unreadableUserIDs.length > 10 ? ', ...' : ''}`
      : '';
  return `snapshot ${snapshot.id} for ${snapshot.for} ${state} ${duration(seconds)}${failure}; ${counters.snapshotUsers} of ${summary.usersListed} users sent, ${counters.snapshotFriendRows} friend rows, ${counters.snapshotBlackRows} black rows, ${counters.snapshotParts} FriendListSnapshot events, ${summary.counters.apiErrors} OpenIM API errors${unreadable}`;
};

const duration = (seconds: number): string =>
  seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
