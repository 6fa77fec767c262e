import type { OpenImDirectory } from '../../functions/reconcile/openim-directory';
import { finishSweep, planSweep } from '../../functions/reconcile/plan';
import type {
  Clock,
  GraphReader,
  MirrorStore,
  PublishRepairs,
  SweepLock,
  SweepRecords,
  SweepSummary,
} from '../../functions/reconcile/ports';
import { runPart, type SweepPart } from '../../functions/reconcile/sweep-part';

export interface SweepRunDeps {
  directory: OpenImDirectory;
  graph: GraphReader;
  mirrors: MirrorStore;
  records: SweepRecords;
  lock: SweepLock;
  publish: PublishRepairs;
  clock: Clock;
  pageSize: number;
  /** Parts run at once, as the engine's MaxConcurrency. */
  concurrency: number;
  chunkSize?: number;
  usersInFlight?: number;
  /** Each page run by two workers at once (a shifted page, or a sweep over a failed one's workers). */
  twoWorkersPerPage?: boolean;
}

/**
 * A sweep driven in-process as the state machine drives it (plan, every page, the orphans
 * segments, finish), with no engine: for the property tests and the benchmark. The state
 * machine itself is run by the local engine in the end-to-end test.
 */
export const runSweep = async (sweepID: string, deps: SweepRunDeps): Promise<SweepSummary | { heldBy: string }> => {
  const plan = await planSweep(sweepID, { ...deps, lockMs: 3_600_000 });
  if (!plan.locked) return { heldBy: plan.heldBy };
  const partDeps = {
    ...deps,
    progress: deps.records,
    chunkSize: deps.chunkSize ?? 25,
    usersInFlight: deps.usersInFlight ?? 4,
    deadline: Infinity,
  };
  const runToEnd = async (part: SweepPart) => {
    while (!(await runPart(part, partDeps)).done);
  };
  const runPage = async (pageNumber: number) => {
    const part = { kind: 'page', sweepID, pageNumber, pageSize: plan.pageSize } as const;
    await Promise.all(Array.from({ length: deps.twoWorkersPerPage ? 2 : 1 }, () => runToEnd(part)));
  };
  await inPool(
    plan.pages.map((pageNumber) => () => runPage(pageNumber)),
    deps.concurrency,
  );
  await inPool(
    plan.segments.map(
      (segment) => () => runToEnd({ kind: 'orphans', sweepID, segment, totalSegments: plan.totalSegments }),
    ),
    deps.concurrency,
  );
  return finishSweep(sweepID, { failed: false }, deps);
};

const inPool = async (tasks: (() => Promise<void>)[], concurrency: number): Promise<void> => {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]?.();
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
};
