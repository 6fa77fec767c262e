import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cliArgs, EXIT_MEANING } from '../../infra/cli-kit/cli-args';
import type { ConditionResult } from './openim-sender';

/**
 * `npm run bench`: how close the function is to the irreducible cost of its job, measured side by
 * side on this machine: bundle size and cold import against a floor bundle (only an EventBridge
 * client and one PutEvents), first and warm invocations against a minimal handler, peak memory,
 * the worst-case reply when EventBridge never answers, and OpenIM's sender (a 100-callback buffer,
 * 2 workers) in front of the handler while EventBridge is healthy, hangs or throttles. Prints
 * tables, writes JSON.
 */
await cliArgs({
  usage: 'npm run bench',
  description:
    "Measures the callback function against a floor on this machine (bundle, cold import, invocations, memory, a hanging EventBridge, OpenIM's sender in front), then the reconciler's sweeps (npm run bench:reconciler). Takes several minutes; prints tables and writes bench-results/latest.json.",
  options: {},
  notes: `environment (run counts; the defaults are what docs/performance.md reports):
  BENCH_COLD_RUNS (25), BENCH_WARM_RUNS (3000), BENCH_WORST_RUNS (3), BENCH_OPENIM_SECONDS (20),
  BENCH_OPENIM_RATE (20), and the BENCH_RECONCILE_* variables of npm run bench:reconciler -- --help`,
  exitCodes: {
    0: "measured, and the reconciler's sweeps met their targets",
    1: 'a reconciler target was missed, or a measurement failed (the output says which)',
    2: EXIT_MEANING.usage,
  },
});
// Loaded once the arguments are read: --help answers without esbuild.
const [
  { bundleBytes },
  { buildFloorBundle, buildProductBundle, buildWithEsbuild, coldBytesByPackage },
  { coldImport, quantile },
] = await Promise.all([import('../helpers/bundle-files'), import('./build-bundles'), import('./cold-import')]);
const run = promisify(execFile);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 25);
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 3_000);
const WORST_RUNS = Number(process.env.BENCH_WORST_RUNS ?? 3);
const OPENIM_SECONDS = Number(process.env.BENCH_OPENIM_SECONDS ?? 20);
const OPENIM_RATE = Number(process.env.BENCH_OPENIM_RATE ?? 20);
/** The function's default REPLY_BUDGET_MS. */
const REPLY_BUDGET_MS = 1_500;
const TARGETS = { bundleRatio: 1.25, coldImportRatio: 1.15, hangingReplyP99Ms: 400 };

const startedAt = performance.now();
/** A progress line with the seconds since the start. */
const progress = (text: string) => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(0)} s] ${text}`);

const work = mkdtempSync(join(tmpdir(), 'openim-friend-events-bench-'));
const ours = buildProductBundle(join(work, 'product'));
const floor = buildFloorBundle(join(work, 'floor'));
const traced = buildProductBundle(join(work, 'traced'), { tracing: true });
const mapped = await buildWithEsbuild('product', join(work, 'mapped'), { sourceMap: true });
const floorBuild = await buildWithEsbuild('floor', join(work, 'floor-esbuild'), { sourceMap: false });

// The source-mapped build copies the construct's settings: if they drift apart, its row and the
// contents table would describe another bundle. A source-map comment is all they may differ by.
// Size is what Node reads at cold start: the entry and the chunks it imports statically.
const coldBytes = (bundle: string) => bundleBytes(dirname(bundle)).coldLoaded;
const bytes = { ours: coldBytes(ours), floor: coldBytes(floor), traced: coldBytes(traced) };
if (Math.abs(coldBytes(mapped.bundle) - bytes.ours) > 64 * 10) {
  throw new Error(
    `the esbuild build (${coldBytes(mapped.bundle)} B) no longer matches the construct's (${bytes.ours} B): update buildWithEsbuild`,
  );
}

/** Runs a child script of the bench in its own process; returns the JSON it wrote. */
const child = async <T>(script: string, env: Record<string, string>): Promise<T> => {
  const resultFile = join(work, `result-${Math.random().toString(36).slice(2)}.json`);
  // The handler's logs and metrics go to the child's stdout, as on Lambda; they are not shown.
  await run(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env, RESULT_FILE: resultFile },
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(readFileSync(resultFile, 'utf8')) as T;
};

interface LoopResult {
  firstMs: number;
  samples: number[];
  peakRssKb: number;
  events: number;
  ours: number[];
  base: number[];
  worst: Record<string, number[]>;
}
const invokeLoop = (bundle: string, mode: 'warm' | 'paired' | 'worst', runs: number, baseline = '') =>
  child<LoopResult>('test/bench/invoke-loop.ts', {
    BUNDLE: bundle,
    BASELINE: baseline,
    MODE: mode,
    RUNS: String(runs),
  });

progress(`bundles built; cold imports (${COLD_RUNS} interleaved runs each)...`);
const cold = { ours: [] as number[], floor: [] as number[], traced: [] as number[], sourceMaps: [] as number[] };
for (let index = 0; index < COLD_RUNS; index += 1) {
  cold.ours.push(await coldImport(ours));
  cold.floor.push(await coldImport(floor));
  cold.traced.push(await coldImport(traced));
  cold.sourceMaps.push(await coldImport(mapped.bundle, true));
}
progress(`warm loops (${WARM_RUNS} invocations each)...`);
const warmOurs = await invokeLoop(ours, 'warm', WARM_RUNS);
const warmMinimal = await invokeLoop(floor, 'warm', WARM_RUNS);
if (warmOurs.events !== WARM_RUNS + 1)
  throw new Error(`expected ${WARM_RUNS + 1} events, the bus got ${warmOurs.events}`);
progress(`paired warm loop (${WARM_RUNS} alternating invocations of each, one process)...`);
const paired = await invokeLoop(ours, 'paired', WARM_RUNS, floor);
progress(`worst case (${WORST_RUNS} replies per scenario)...`);
const worst = await invokeLoop(ours, 'worst', WORST_RUNS);
progress(`OpenIM sender (${OPENIM_RATE} callbacks/s for ${OPENIM_SECONDS} s per condition)...`);
const openim = await child<Record<string, ConditionResult>>('test/bench/openim-sender.ts', {
  BUNDLE: ours,
  SECONDS: String(OPENIM_SECONDS),
  RATE: String(OPENIM_RATE),
});

interface Row {
  metric: string;
  ours: number;
  base: number;
  baseName: string;
  /** Met when ours / base is at most this. */
  ratioTarget?: number;
  /** Met when ours - base is below this. */
  overheadTargetMs?: number;
}
const rows: Row[] = [
  {
    metric: 'bundle (KiB)',
    ours: bytes.ours / 1024,
    base: bytes.floor / 1024,
    baseName: 'floor',
    ratioTarget: TARGETS.bundleRatio,
  },
  {
    metric: 'cold import p50 (ms)',
    ours: quantile(cold.ours, 0.5),
    base: quantile(cold.floor, 0.5),
    baseName: 'floor',
  },
  {
    // Each run of ours against the floor run right after it: the ratio cancels the machine's drift.
    metric: 'cold import, median of paired ratios',
    ours: quantile(
      cold.ours.map((ms, index) => ms / (cold.floor[index] ?? Number.NaN)),
      0.5,
    ),
    base: 1,
    baseName: 'floor',
    ratioTarget: TARGETS.coldImportRatio,
  },
  {
    metric: 'cold import p90 (ms)',
    ours: quantile(cold.ours, 0.9),
    base: quantile(cold.floor, 0.9),
    baseName: 'floor',
  },
  {
    metric: 'cold import p50, source maps on (ms)',
    ours: quantile(cold.sourceMaps, 0.5),
    base: quantile(cold.floor, 0.5),
    baseName: 'floor',
  },
  { metric: 'bundle, tracing on (KiB)', ours: bytes.traced / 1024, base: bytes.floor / 1024, baseName: 'floor' },
  {
    metric: 'cold import p50, tracing on (ms)',
    ours: quantile(cold.traced, 0.5),
    base: quantile(cold.floor, 0.5),
    baseName: 'floor',
  },
  { metric: 'first invocation (ms)', ours: warmOurs.firstMs, base: warmMinimal.firstMs, baseName: 'minimal' },
  {
    metric: 'warm p50, alternating (ms)',
    ours: quantile(paired.ours, 0.5),
    base: quantile(paired.base, 0.5),
    baseName: 'minimal',
  },
  {
    metric: 'warm p99, alternating (ms)',
    ours: quantile(paired.ours, 0.99),
    base: quantile(paired.base, 0.99),
    baseName: 'minimal',
    overheadTargetMs: 1,
  },
  {
    metric: 'warm p99, own process (ms)',
    ours: quantile(warmOurs.samples, 0.99),
    base: quantile(warmMinimal.samples, 0.99),
    baseName: 'minimal',
  },
  {
    metric: 'peak RSS, warm loop (MiB)',
    ours: warmOurs.peakRssKb / 1024,
    base: warmMinimal.peakRssKb / 1024,
    baseName: 'minimal',
  },
  ...Object.entries(worst.worst).map(([label, samples]) => ({
    metric: `worst reply: ${label} (ms)`,
    ours: Math.max(...samples),
    base: REPLY_BUDGET_MS,
    baseName: 'budget',
    overheadTargetMs: 100,
  })),
];

const verdict = (row: Row): string => {
  if (row.ratioTarget !== undefined)
    return `<= ${row.ratioTarget}x: ${row.ours / row.base <= row.ratioTarget ? 'PASS' : 'MISS'}`;
  if (row.overheadTargetMs !== undefined)
    return `< +${row.overheadTargetMs} ms: ${row.ours - row.base < row.overheadTargetMs ? 'PASS' : 'MISS'}`;
  return '';
};
const table = rows.map((row) => ({
  metric: row.metric,
  ours: row.ours.toFixed(2),
  vs: `${row.base.toFixed(2)} (${row.baseName})`,
  ratio: `${(row.ours / row.base).toFixed(2)}x`,
  diff: (row.ours - row.base).toFixed(2),
  target: verdict(row),
}));

const openimVerdict = (label: string, result: ConditionResult): string => {
  const misses = [
    result.dropped > 0 ? 'dropped' : '',
    result.blocked > 0 ? 'blocked' : '',
    result.lost > 0 ? 'lost' : '',
    result.accepted < result.sent ? 'not accepted' : '',
    label.includes('hangs') && quantile(result.replyMs, 0.99) > TARGETS.hangingReplyP99Ms ? 'p99' : '',
  ].filter(Boolean);
  return misses.length === 0 ? 'PASS' : `MISS (${misses.join(', ')})`;
};
const openimTable = Object.entries(openim).map(([label, result]) => ({
  condition: label,
  sent: result.sent,
  dropped: result.dropped,
  blocked: result.blocked,
  accepted: result.accepted,
  lost: result.lost,
  published: result.published,
  parked: result.parked,
  'PutEvents tries': result.putEventsAttempts,
  'reply p50 (ms)': quantile(result.replyMs, 0.5).toFixed(1),
  'reply p99 (ms)': quantile(result.replyMs, 0.99).toFixed(1),
  'reply max (ms)': Math.max(...result.replyMs).toFixed(1),
  target: openimVerdict(label, result),
}));

const floorBytes = new Map(coldBytesByPackage(floorBuild.metafile, floorBuild.bundle));
const contents = coldBytesByPackage(mapped.metafile, mapped.bundle)
  .map(([name, size]) => ({ name, size, extra: size - (floorBytes.get(name) ?? 0) }))
  .sort((a, b) => b.extra - a.extra)
  .slice(0, 10)
  .map(({ name, size, extra }) => ({
    package: name,
    'ours (KiB)': (size / 1024).toFixed(1),
    'floor (KiB)': ((floorBytes.get(name) ?? 0) / 1024).toFixed(1),
    'extra (KiB)': (extra / 1024).toFixed(1),
  }));

console.log(`\nopenim-friend-events benchmark, ${new Date().toISOString()}, node ${process.version}, ${process.arch}`);
console.table(table);
console.log(
  `\nOpenIM sender: buffer 100, 2 workers, one POST with a 5 s timeout, enqueue blocks up to 3 s then drops;` +
    ` ${OPENIM_RATE} callbacks/s for ${OPENIM_SECONDS} s; SQS healthy. Target: 0 dropped, 0 blocked, 0 lost,` +
    ` p99 <= ${TARGETS.hangingReplyP99Ms} ms while EventBridge hangs.`,
);
console.table(openimTable);
console.log('\nWhere the extra bytes read at cold start are (esbuild metafile), ours minus floor, largest first:');
console.table(contents);

mkdirSync('bench-results', { recursive: true });
const file = join('bench-results', 'latest.json');
writeFileSync(
  file,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      arch: process.arch,
      bytes,
      cold,
      rows,
      openim: openimTable,
      contents,
    },
    null,
    2,
  ),
);
progress(`written to ${file}`);
rmSync(work, { recursive: true, force: true });

// The reconciler's sweeps (alone: npm run bench:reconciler); its own tables, and bench-results/reconciler.json.
progress('reconciler sweeps (test/bench/reconciler.ts)...');
const reconciler = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/bench/reconciler.ts'], {
  stdio: 'inherit',
});
process.exitCode = await new Promise<number>((resolve) => reconciler.once('exit', (code) => resolve(code ?? 1)));
