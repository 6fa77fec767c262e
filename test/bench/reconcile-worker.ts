import { writeFileSync } from 'node:fs';
import { createOpenImDirectory } from '../../functions/adapters/openim-api/directory';
import { ownerView } from '../../functions/friend-graph/graph-view';
import { workerPace } from '../../functions/reconcile/pace';
import { runPart } from '../../functions/reconcile/sweep-part';

/**
 * Child process of the reconciler benchmark: one worker, alone in its process as on Lambda, sweeps
 * one page of PAGE_SIZE users at its pace, in the heaviest case (no mirror: every list read whole,
 * every edge a repair), with stores that keep nothing (DynamoDB and EventBridge hold them when
 * deployed). Writes its peak RSS and heap to RESULT_FILE: what a worker Lambda needs.
 */
const { STAND_IN_URL = '', PAGE_SIZE = '2500', CALLS_PER_SECOND = '375', RESULT_FILE = '' } = process.env;
const pace = workerPace({ callsPerSecond: Number(CALLS_PER_SECOND), concurrency: 1 });
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed);
};
const sampler = setInterval(sample, 50);
const directory = createOpenImDirectory({
  apiUrl: STAND_IN_URL,
  adminUserID: 'friendEventsReconciler',
  adminSecret: 'openIM123',
  callsPerSecond: pace.callsPerSecond,
  maxConcurrentCalls: pace.usersInFlight,
});
let repairs = 0;
const started = performance.now();
await runPart(
  { kind: 'page', sweepID: 'worker-memory', pageNumber: 1, pageSize: Number(PAGE_SIZE) },
  {
    directory,
    graph: { ownerView: async () => ownerView([]), ownersPage: async () => ({ owners: [] }) },
    mirrors: { load: async () => new Map(), save: async () => ({ superseded: [] }) },
    publish: async (drafts) => {
      repairs += drafts.length;
    },
    progress: { resumePoint: async () => undefined, checkpoint: async () => undefined, count: async () => undefined },
    clock: Date.now,
    usersInFlight: pace.usersInFlight,
    chunkSize: pace.chunkSize,
    deadline: Number.POSITIVE_INFINITY,
  },
);
sample();
clearInterval(sampler);
writeFileSync(
  RESULT_FILE,
  JSON.stringify({ peakRss, peakHeap, repairs, seconds: (performance.now() - started) / 1000 }),
);
process.exit(0);
