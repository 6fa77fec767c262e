import { addCounters, type SweepCounters, zeroCounters } from './differences';
import type { OpenImDirectory } from './openim-directory';
import type { Clock, GraphReader, MirrorStore, PublishRepairs, SweepProgress } from './ports';
import { reconcileUser, type UserOutcome } from './reconcile-user';

/**
 * One part of a sweep, run by a worker invocation: a page of OpenIM's users, or a segment of the
 * graph's owners (the orphans phase: owners this sweep did not reach through OpenIM's pages, such
 * as users OpenIM no longer has, are read directly; a vanished user's lists read as empty).
 */
export type SweepPart =
  | { kind: 'page'; sweepID: string; pageNumber: number; pageSize: number }
  | { kind: 'orphans'; sweepID: string; segment: number; totalSegments: number };

export const partName = (part: SweepPart): string =>
  part.kind === 'page' ? `page#${part.pageNumber}` : `orphans#${part.segment}`;

/** The resume point of a part that has nothing left to do. */
export const PART_DONE = 'done';

export interface SweepPartDeps {
  directory: OpenImDirectory;
  graph: GraphReader;
  mirrors: MirrorStore;
  publish: PublishRepairs;
  progress: SweepProgress;
  clock: Clock;
  /** Users reconciled at once (the directory paces the calls themselves). */
  usersInFlight: number;
  /** Users between two checkpoints: what a retry may redo. */
  chunkSize: number;
  /** No new chunk starts after this (epoch ms): the part returns and is invoked again to go on. */
  deadline: number;
}

/**
 * Runs a part from where it last stopped until it is done or the deadline passes. Per chunk of
 * users: read OpenIM and the graph, publish the repairs, save the mirrors, then the checkpoint
 * with the chunk's counters. A crash anywhere redoes at most the chunk; its repairs are
 * recomputed from a new read (new keys: a key includes its read time), never parked.
 */
export const runPart = async (part: SweepPart, deps: SweepPartDeps): Promise<{ done: boolean }> => {
  const name = partName(part);
  const resumeAt = await deps.progress.resumePoint(part.sweepID, name);
  if (resumeAt === PART_DONE) return { done: true };
  return part.kind === 'page' ? runPage(part, name, resumeAt, deps) : runOrphans(part, name, resumeAt, deps);
};

const runPage = async (
  part: Extract<SweepPart, { kind: 'page' }>,
  name: string,
  resumeAt: string | undefined,
  deps: SweepPartDeps,
): Promise<{ done: boolean }> => {
  // Pages are unsorted skip/limit: re-read on a retry, a shifted page costs a missed or repeated user.
  const { userIDs } = await deps.directory.userPage(part.pageNumber, part.pageSize);
  let next = resumeAt === undefined ? 0 : Number(resumeAt);
  if (next >= userIDs.length) await deps.progress.checkpoint(part.sweepID, name, PART_DONE, zeroCounters());
  while (next < userIDs.length) {
    if (deps.clock() >= deps.deadline) return { done: false };
    const chunk = userIDs.slice(next, next + deps.chunkSize);
    const counters = await reconcileChunk(chunk, part.sweepID, deps, false);
    next += chunk.length;
    await deps.progress.checkpoint(part.sweepID, name, next < userIDs.length ? String(next) : PART_DONE, counters);
  }
  return { done: true };
};

const runOrphans = async (
  part: Extract<SweepPart, { kind: 'orphans' }>,
  name: string,
  resumeAt: string | undefined,
  deps: SweepPartDeps,
): Promise<{ done: boolean }> => {
  // "" is the segment's start, as saved by a checkpoint before its first page was done.
  let cursor = resumeAt === '' ? undefined : resumeAt;
  for (;;) {
    if (deps.clock() >= deps.deadline) return { done: false };
    const { owners, next } = await deps.graph.ownersPage(part.segment, part.totalSegments, cursor);
    // Checkpoints within a page keep its start as the cursor: a retry reads the page again and
    // skips the owners already covered, whose mirrors carry this sweep's ID.
    for (let at = 0; at < owners.length; at += deps.chunkSize) {
      if (at > 0 && deps.clock() >= deps.deadline) return { done: false };
      const counters = await reconcileChunk(owners.slice(at, at + deps.chunkSize), part.sweepID, deps, true);
      await deps.progress.checkpoint(part.sweepID, name, cursor ?? '', counters);
    }
    await deps.progress.checkpoint(part.sweepID, name, next ?? PART_DONE, zeroCounters());
    if (next === undefined) return { done: true };
    cursor = next;
  }
};

const reconcileChunk = async (
  users: readonly string[],
  sweepID: string,
  deps: SweepPartDeps,
  orphans: boolean,
): Promise<SweepCounters> => {
  const unique = [...new Set(users)];
  const mirrors = await deps.mirrors.load(unique);
  // Orphans: owners in the graph that this sweep has not covered (their mirror is older).
  const todo = orphans ? unique.filter((userID) => mirrors.get(userID)?.sweepID !== sweepID) : unique;
  // An orphan's lists are read whole: a user OpenIM no longer lists has no version log to go by.
  const outcomes = await mapLimit(todo, deps.usersInFlight, (userID) =>
    reconcileUser(userID, mirrors.get(userID), sweepID, deps, orphans),
  );
  // A user OpenIM could not answer for consistently now: nothing published, the mirror kept, next sweep tries again.
  const reconciled = outcomes.filter((outcome) => outcome.kind === 'reconciled');
  const repairs = reconciled.flatMap((outcome) => outcome.repairs);
  // Published before the mirrors move on, so a crash in between finds the same differences again.
  if (repairs.length > 0) await deps.publish(repairs);
  if (reconciled.length > 0)
    await deps.mirrors.save(new Map(reconciled.map((outcome) => [outcome.userID, outcome.mirror])));
  return countersOf(outcomes, repairs.length);
};

const countersOf = (outcomes: UserOutcome[], published: number): SweepCounters => {
  const unreadable = outcomes.filter((outcome) => outcome.kind === 'unreadable').length;
  let counters = addCounters(zeroCounters(), {
    usersChecked: outcomes.length - unreadable,
    usersUnreadable: unreadable,
    eventsPublished: published,
  });
  for (const outcome of outcomes) {
    if (outcome.kind !== 'reconciled') continue;
    for (const difference of outcome.differences) counters = addCounters(counters, { [difference.kind]: 1 });
    counters = addCounters(counters, { deferredNewer: outcome.deferred });
  }
  return counters;
};

/** `work` over `items`, at most `limit` at once, in order; after a failure no new item starts. */
export const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
};
