import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { createOpenImDirectory } from '../../functions/adapters/openim-api/directory';
import type { CachedToken } from '../../functions/adapters/openim-api/ports';
import { totalDifferences } from '../../functions/reconcile/differences';
import type { CallObservation } from '../../functions/reconcile/openim-directory';
import { workerPace } from '../../functions/reconcile/pace';
import { finishSnapshot, finishSweep, pageSizeFor, planSnapshot, planSweep } from '../../functions/reconcile/plan';
import type { SnapshotTotals, SweepSummary } from '../../functions/reconcile/ports';
import { runSnapshotPart } from '../../functions/reconcile/snapshot-part';
import { runPart, type SweepPart } from '../../functions/reconcile/sweep-part';
import { cliArgs, EXIT_MEANING } from '../../infra/cli-kit/cli-args';
import { deliveredRepair, InMemoryGraph, InMemoryMirrors, InMemorySweepRecords } from '../helpers/reconciler-fakes';
import { driftWithoutCallbacks, removalsWithoutCallbacks } from './openim-drift';

/**
 * The reconciler's benchmark (`npm run bench:reconciler`, also the last part of `npm run bench`):
 * sweeps of an OpenIM with USERS users and EDGES directed friend rows (the OpenIM API stand-in,
 * in its own process) by the sweep's own code (plan, parts, finish) and the real OpenIM admin
 * client, CONCURRENCY workers each at CALLS_PER_SECOND / CONCURRENCY, as the state machine runs
 * them. The graph, the mirrors and the records are the in-memory implementations of the same
 * ports: a million graph rows in dynalite would measure dynalite (the DynamoDB adapters have
 * their own tests against it). Three sweeps: the first (empty graph and mirrors: every list read
 * whole), one with nothing changed, one after 1% of the users changed in OpenIM without a callback.
 * Then a snapshot of every user (issue 23) on the mirrors the sweeps left: calls per user, events
 * per user, and its time against calls / pace.
 */
await cliArgs({
  usage: 'npm run bench:reconciler',
  description:
    "Sweeps an OpenIM API stand-in (100,000 users, 1,000,000 directed friend rows by default) with the sweep's own code four times, then takes a snapshot of every user, and checks calls and events per user and the pace. Takes minutes; writes bench-results/reconciler.json.",
  options: {},
  notes: `environment: BENCH_RECONCILE_USERS (100000), BENCH_RECONCILE_EDGES (1000000), BENCH_RECONCILE_BLACKS (10000),
  BENCH_RECONCILE_CALLS_PER_SECOND (1500), BENCH_RECONCILE_CONCURRENCY (4)`,
  exitCodes: {
    0: 'every target met (calls per user, pace)',
    1: 'a target was missed, or the run failed (the output says which)',
    2: EXIT_MEANING.usage,
  },
});
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const USERS = env('BENCH_RECONCILE_USERS', 100_000);
const EDGES = env('BENCH_RECONCILE_EDGES', 1_000_000);
const BLACKS = env('BENCH_RECONCILE_BLACKS', 10_000);
const CALLS_PER_SECOND = env('BENCH_RECONCILE_CALLS_PER_SECOND', 1_500);
const CONCURRENCY = env('BENCH_RECONCILE_CONCURRENCY', 4);
const DRIFT = 0.01;
const TARGETS = { callsPerUserUnchanged: 2.05, paceTolerance: 0.1, snapshotEventsPerUser: 1.05 };

const startedAt = performance.now();
const progress = (text: string) => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(0)} s] ${text}`);

/** The stand-in in a child process, so that OpenIM and the sweep each have a core. */
const startStandIn = async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/openim-stand-in.ts'], {
    env: { ...process.env, USERS: String(USERS), EDGES: String(EDGES), BLACKS: String(BLACKS) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => line.startsWith('url ') && resolve(line.slice(4)));
    child.once('exit', (code) => reject(new Error(`the stand-in exited (${code})`)));
  });
  return { url, stop: () => child.stdin.end() };
};

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 200);

progress(`starting the OpenIM API stand-in with ${USERS} users, ${EDGES} directed friend rows, ${BLACKS} blocks...`);
const standIn = await startStandIn();
const graph = new InMemoryGraph();
const mirrors = new InMemoryMirrors();
const records = new InMemorySweepRecords();
/** The admin token between invocations and sweeps, as the reconciler's table keeps it. */
let cachedToken: CachedToken | undefined;
const tokenCache = {
  load: async () => cachedToken,
  save: async (token: CachedToken) => {
    cachedToken = token;
  },
};

/**
 * The most requests sent in any one calendar second (by their start time). The pacing spaces
 * each worker's starts evenly; a start delayed by a busy event loop can land in the next second.
 */
const busiestSecond = (calls: CallObservation[]): number => {
  const perSecond = new Map<number, number>();
  for (const call of calls) {
    const second = Math.floor(call.startedAtMs / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  return Math.max(0, ...perSecond.values());
};

/**
 * The OpenIM clients of one run, one per worker as each Lambda instance has its own, each paced at
 * its share of CALLS_PER_SECOND, the calls they all made, and the pace the workers share.
 */
const workerDirectories = () => {
  const calls: CallObservation[] = [];
  const pace = workerPace({ callsPerSecond: CALLS_PER_SECOND, concurrency: CONCURRENCY });
  const directory = () =>
    createOpenImDirectory({
      apiUrl: standIn.url,
      adminUserID: 'friendEventsReconciler',
      adminSecret: 'openIM123',
      callsPerSecond: pace.callsPerSecond,
      maxConcurrentCalls: pace.usersInFlight,
      tokenCache,
      onCall: (call) => calls.push(call),
    });
  return { calls, directory, pace };
};

interface SweepResult {
  summary: SweepSummary;
  /** Live heap after the sweep, collected (with --expose-gc): the in-memory graph and mirrors, mostly. */
  heapAfterMiB: number;
  seconds: number;
  pagesSeconds: number;
  requests: number;
  pagesRequests: number;
  busiestSecond: number;
  byEndpoint: Record<string, number>;
}

/** One sweep as the state machine runs it: plan, the pages (CONCURRENCY at once), the orphans, finish. */
const sweep = async (sweepID: string): Promise<SweepResult> => {
  const { calls, directory, pace } = workerDirectories();
  const started = performance.now();
  const plan = await planSweep(sweepID, {
    directory: directory(),
    lock: records,
    records,
    clock: Date.now,
    pageSize: pageSizeFor(CALLS_PER_SECOND, CONCURRENCY, 300),
    concurrency: CONCURRENCY,
    lockMs: 3_600_000,
  });
  if (!plan.locked) throw new Error(`locked by ${plan.heldBy}`);
  const publish = async (repairs: Parameters<typeof deliveredRepair>[0][]) =>
    graph.deliver(repairs.map((repair, index) => deliveredRepair(repair, `${sweepID}-${index}`)));
  const runParts = async (parts: SweepPart[]) => {
    const queue = [...parts];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const deps = {
          directory: directory(),
          graph,
          mirrors,
          publish,
          progress: records,
          clock: Date.now,
          usersInFlight: pace.usersInFlight,
          chunkSize: pace.chunkSize,
          deadline: Number.POSITIVE_INFINITY,
        };
        for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
          while (!(await runPart(part, deps)).done);
        }
      }),
    );
  };
  await runParts(plan.pages.map((pageNumber) => ({ kind: 'page', sweepID, pageNumber, pageSize: plan.pageSize })));
  const pagesSeconds = (performance.now() - started) / 1000;
  const pagesRequests = calls.length;
  await runParts(
    plan.segments.map((segment) => ({ kind: 'orphans', sweepID, segment, totalSegments: plan.totalSegments })),
  );
  const summary = await finishSweep(sweepID, { failed: false }, { lock: records, records, clock: Date.now });
  const seconds = (performance.now() - started) / 1000;
  const byEndpoint: Record<string, number> = {};
  for (const call of calls) byEndpoint[call.endpoint] = (byEndpoint[call.endpoint] ?? 0) + 1;
  (globalThis as { gc?: () => void }).gc?.();
  return {
    summary,
    heapAfterMiB: process.memoryUsage().heapUsed / 2 ** 20,
    seconds,
    pagesSeconds,
    requests: calls.length,
    pagesRequests,
    busiestSecond: busiestSecond(calls),
    byEndpoint,
  };
};

interface SnapshotResult {
  summary: SweepSummary;
  totals: SnapshotTotals;
  seconds: number;
  requests: number;
  busiestSecond: number;
  events: number;
  completions: number;
  byEndpoint: Record<string, number>;
}

/** A snapshot of every user as the state machine runs it: plan, the parts (CONCURRENCY at once), finish. */
const snapshot = async (snapshotID: string): Promise<SnapshotResult> => {
  const { calls, directory, pace } = workerDirectories();
  const started = performance.now();
  const plan = await planSnapshot(
    snapshotID,
    { for: 'bench' },
    {
      directory: directory(),
      lock: records,
      records,
      clock: Date.now,
      pageSize: pageSizeFor(CALLS_PER_SECOND, CONCURRENCY, 300),
      concurrency: CONCURRENCY,
      lockMs: 3_600_000,
    },
  );
  if (!plan.locked) throw new Error(`locked by ${plan.heldBy}`);
  let events = 0;
  let completions = 0;
  const queue = [...plan.snapshotParts];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const deps = {
        directory: directory(),
        mirrors,
        publish: async (parts: unknown[]) => {
          events += parts.length;
        },
        progress: records,
        clock: Date.now,
        usersInFlight: pace.usersInFlight,
        chunkSize: pace.chunkSize,
        deadline: Number.POSITIVE_INFINITY,
      };
      for (let select = queue.shift(); select !== undefined; select = queue.shift()) {
        const part = { kind: 'snapshot' as const, sweepID: snapshotID, snapshot: plan.snapshot, select };
        while (!(await runSnapshotPart(part, deps)).done);
      }
    }),
  );
  const { summary, totals } = await finishSnapshot(snapshotID, plan.snapshot, {
    lock: records,
    records,
    progress: records,
    clock: Date.now,
    publishCompleted: async () => {
      completions++;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const byEndpoint: Record<string, number> = {};
  for (const call of calls) byEndpoint[call.endpoint] = (byEndpoint[call.endpoint] ?? 0) + 1;
  return {
    summary,
    totals,
    seconds,
    requests: calls.length,
    busiestSecond: busiestSecond(calls),
    events,
    completions,
    byEndpoint,
  };
};

const drift = () => driftWithoutCallbacks(standIn.url, USERS, DRIFT);

progress(
  `first sweep (empty graph and mirrors: every list read whole) at ${CALLS_PER_SECOND} calls/s, ${CONCURRENCY} workers...`,
);
const first = await sweep('bench-1');
progress(`second sweep, nothing changed in OpenIM...`);
const unchanged = await sweep('bench-2');
progress(`${DRIFT * 100}% of the users change in OpenIM without a callback...`);
const drifted = await drift();
progress(`third sweep, after the drift of ${drifted} users...`);
const afterDrift = await sweep('bench-3');
progress(`${DRIFT * 100}% of the users lose a friend row in OpenIM without a callback...`);
const removed = await removalsWithoutCallbacks(standIn.url, USERS, DRIFT);
progress(`fourth sweep, after ${removed} removals (each confirmed by a read aimed at the pair)...`);
const afterRemovals = await sweep('bench-4');
progress('a snapshot of every user, on the mirrors the sweeps left...');
const snapshotRun = await snapshot('bench-snapshot');
clearInterval(sampler);

// What one worker Lambda needs: a page of the plan's size, alone in a process, in the heaviest case.
const workerPageSize = Math.min(pageSizeFor(CALLS_PER_SECOND, CONCURRENCY, 300), Math.ceil(USERS / (CONCURRENCY * 4)));
progress(`one worker alone: a page of ${workerPageSize} users, every list read whole...`);
const work = mkdtempSync(join(tmpdir(), 'reconcile-worker-'));
const resultFile = join(work, 'worker.json');
await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/bench/reconcile-worker.ts'], {
  env: {
    ...process.env,
    STAND_IN_URL: standIn.url,
    PAGE_SIZE: String(workerPageSize),
    CALLS_PER_SECOND: String(CALLS_PER_SECOND / CONCURRENCY),
    RESULT_FILE: resultFile,
  },
});
const worker = JSON.parse(readFileSync(resultFile, 'utf8')) as { peakRss: number; peakHeap: number; repairs: number };
rmSync(work, { recursive: true, force: true });
standIn.stop();

const row = (label: string, result: SweepResult) => {
  const users = result.summary.usersListed;
  const rate = result.pagesRequests / result.pagesSeconds;
  return {
    sweep: label,
    'users listed': users,
    'wall (s)': result.seconds.toFixed(1),
    'OpenIM requests': result.requests,
    'requests per user': (result.requests / users).toFixed(3),
    'requests/s (pages)': rate.toFixed(0),
    'vs setting': `${((rate / CALLS_PER_SECOND) * 100).toFixed(1)}%`,
    'busiest second': result.busiestSecond,
    differences: totalDifferences(result.summary.counters),
    'repairs published': result.summary.counters.eventsPublished,
    'heap after (MiB)': result.heapAfterMiB.toFixed(0),
  };
};
const table = [
  row('first (empty)', first),
  row('nothing changed', unchanged),
  row('1% drift', afterDrift),
  row('1% removals', afterRemovals),
];
const perUser = unchanged.requests / unchanged.summary.usersListed;
const paceOff = Math.abs(unchanged.pagesRequests / unchanged.pagesSeconds / CALLS_PER_SECOND - 1);
const snapshotUsers = snapshotRun.summary.usersListed;
const snapshotPerUser = snapshotRun.requests / snapshotUsers;
const snapshotEventsPerUser = snapshotRun.events / snapshotUsers;
/** Seconds the snapshot's calls take at the pace set: what its time is held to. */
const snapshotPaceSeconds = snapshotRun.requests / CALLS_PER_SECOND;
const snapshotRow = {
  'users listed': snapshotUsers,
  'users sent': snapshotRun.totals.counters.snapshotUsers,
  'friend rows': snapshotRun.totals.counters.snapshotFriendRows,
  'black rows': snapshotRun.totals.counters.snapshotBlackRows,
  'wall (s)': snapshotRun.seconds.toFixed(1),
  'calls / pace (s)': snapshotPaceSeconds.toFixed(1),
  'OpenIM requests': snapshotRun.requests,
  'requests per user': snapshotPerUser.toFixed(3),
  'busiest second': snapshotRun.busiestSecond,
  'FriendListSnapshot events': snapshotRun.events,
  'events per user': snapshotEventsPerUser.toFixed(3),
  unreadable: snapshotRun.totals.unreadableUserIDs.length,
};
const verdicts = {
  [`requests per user, nothing changed <= ${TARGETS.callsPerUserUnchanged}`]: perUser <= TARGETS.callsPerUserUnchanged,
  [`requests/s within ${TARGETS.paceTolerance * 100}% of ${CALLS_PER_SECOND}`]: paceOff <= TARGETS.paceTolerance,
  'nothing changed: no repair': unchanged.summary.counters.eventsPublished === 0,
  [`1% drift: ${drifted} differences found`]: totalDifferences(afterDrift.summary.counters) === drifted,
  [`1% removals: ${removed} removals found and confirmed`]:
    afterRemovals.summary.counters.friendRemoved === removed &&
    (afterRemovals.byEndpoint['/friend/get_designated_friends'] ?? 0) === removed,
  [`snapshot: requests per user <= ${TARGETS.callsPerUserUnchanged}`]: snapshotPerUser <= TARGETS.callsPerUserUnchanged,
  [`snapshot: events per user <= ${TARGETS.snapshotEventsPerUser} (not one per row)`]:
    snapshotEventsPerUser <= TARGETS.snapshotEventsPerUser,
  [`snapshot: time within ${1 + TARGETS.paceTolerance}x of calls / pace`]:
    snapshotRun.seconds <= (1 + TARGETS.paceTolerance) * snapshotPaceSeconds,
  'snapshot: every user sent, one completion after the parts':
    snapshotRun.totals.counters.snapshotUsers === snapshotUsers && snapshotRun.completions === 1,
};

console.log(
  `\nReconciler: ${USERS} users, ${EDGES} directed friend rows, ${BLACKS} blocks; ${CALLS_PER_SECOND} calls/s, ${CONCURRENCY} workers; node ${process.version}`,
);
console.table(table);
console.log('OpenIM requests by route, nothing changed:', unchanged.byEndpoint);
console.log('Snapshot of every user (fresh mirrors):');
console.table([snapshotRow]);
console.log('OpenIM requests by route, snapshot:', snapshotRun.byEndpoint);
console.log('OpenIM requests by route, 1% removals:', afterRemovals.byEndpoint);
console.log(
  `peak RSS of the sweep process (in-memory graph, mirrors and records included): ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
);
console.log(
  `one worker alone, a page of ${workerPageSize} users read whole (${worker.repairs} repairs): peak RSS ${(worker.peakRss / 2 ** 20).toFixed(0)} MiB, peak heap ${(worker.peakHeap / 2 ** 20).toFixed(0)} MiB`,
);
for (const [target, met] of Object.entries(verdicts)) console.log(`${met ? 'PASS' : 'MISS'}  ${target}`);

mkdirSync('bench-results', { recursive: true });
const file = join('bench-results', 'reconciler.json');
writeFileSync(
  file,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      USERS,
      EDGES,
      BLACKS,
      CALLS_PER_SECOND,
      CONCURRENCY,
      table,
      peakRss,
      worker: { pageSize: workerPageSize, ...worker },
      snapshot: snapshotRow,
      verdicts,
      byEndpoint: {
        first: first.byEndpoint,
        unchanged: unchanged.byEndpoint,
        afterDrift: afterDrift.byEndpoint,
        snapshot: snapshotRun.byEndpoint,
      },
    },
    null,
    2,
  ),
);
progress(`written to ${file}`);
process.exit(Object.values(verdicts).every(Boolean) ? 0 : 1);
