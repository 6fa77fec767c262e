import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildFloorBundle, buildProductBundle } from './build-bundles';

/**
 * `npm run bench`: how close the function is to the irreducible cost of its job, measured side by
 * side on this machine: bundle size and cold import against a floor bundle (only an EventBridge
 * client and one PutEvents), first and warm invocations against a minimal handler, peak memory,
 * and the worst-case reply when EventBridge never answers. Prints a table, writes JSON.
 */
const run = promisify(execFile);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 25);
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 10_000);
const WORST_RUNS = Number(process.env.BENCH_WORST_RUNS ?? 3);
const REPLY_BUDGET_MS = 2_500;

const work = mkdtempSync(join(tmpdir(), 'openim-friend-events-bench-'));
const ours = buildProductBundle(join(work, 'product'));
const floor = buildFloorBundle(join(work, 'floor'));
const traced = buildProductBundle(join(work, 'traced'), { tracing: true });

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

/** Import time of a bundle in a fresh `node` (as Lambda runs it: source maps enabled). */
const coldImport = async (bundle: string): Promise<number> => {
  const script = `const t=performance.now();await import(${JSON.stringify(bundle)});console.log(performance.now()-t);process.exit(0)`;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9', // nothing listens: the token read fails later, after the import
      EVENT_BUS_NAME: 'bench-bus',
      CALLBACK_TOKEN_SECRET_ID: 'bench-token',
      DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/bench-dlq',
    },
  });
  return Number(stdout.trim());
};

/** Runs the invoke loop in its own process; returns what it measured. */
const invokeLoop = async (bundle: string, mode: 'warm' | 'paired' | 'worst', runs: number, baseline = '') => {
  const resultFile = join(work, `${mode}-${Math.random().toString(36).slice(2)}.json`);
  await run(process.execPath, ['--import', 'tsx', 'test/bench/invoke-loop.ts'], {
    env: {
      ...process.env,
      BUNDLE: bundle,
      BASELINE: baseline,
      MODE: mode,
      RUNS: String(runs),
      RESULT_FILE: resultFile,
      NODE_OPTIONS: '--enable-source-maps',
    },
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(readFileSync(resultFile, 'utf8')) as {
    firstMs: number;
    samples: number[];
    peakRssKb: number;
    events: number;
    ours: number[];
    base: number[];
    worst: Record<string, number[]>;
  };
};

console.log(`bundles built; cold imports (${COLD_RUNS} interleaved runs each)...`);
const coldOurs: number[] = [];
const coldFloor: number[] = [];
const coldTraced: number[] = [];
for (let index = 0; index < COLD_RUNS; index += 1) {
  coldOurs.push(await coldImport(ours));
  coldFloor.push(await coldImport(floor));
  coldTraced.push(await coldImport(traced));
}
console.log(`warm loops (${WARM_RUNS} invocations each)...`);
const warmOurs = await invokeLoop(ours, 'warm', WARM_RUNS);
const warmMinimal = await invokeLoop(floor, 'warm', WARM_RUNS);
if (warmOurs.events !== WARM_RUNS + 1)
  throw new Error(`expected ${WARM_RUNS + 1} events, the bus got ${warmOurs.events}`);
console.log(`paired warm loop (${WARM_RUNS} alternating invocations of each, one process)...`);
const paired = await invokeLoop(ours, 'paired', WARM_RUNS, floor);
console.log(`worst case (${WORST_RUNS} replies per scenario)...`);
const worst = await invokeLoop(ours, 'worst', WORST_RUNS);

const bytes = { ours: statSync(ours).size, floor: statSync(floor).size, traced: statSync(traced).size };
const rows = [
  { metric: 'bundle (KiB)', ours: bytes.ours / 1024, base: bytes.floor / 1024, baseName: 'floor', target: 1.25 },
  {
    metric: 'cold import p50 (ms)',
    ours: quantile(coldOurs, 0.5),
    base: quantile(coldFloor, 0.5),
    baseName: 'floor',
    target: 1.2,
  },
  {
    metric: 'cold import p90 (ms)',
    ours: quantile(coldOurs, 0.9),
    base: quantile(coldFloor, 0.9),
    baseName: 'floor',
    target: 1.2,
  },
  { metric: 'bundle, tracing on (KiB)', ours: bytes.traced / 1024, base: bytes.floor / 1024, baseName: 'floor' },
  {
    metric: 'cold import p50, tracing on (ms)',
    ours: quantile(coldTraced, 0.5),
    base: quantile(coldFloor, 0.5),
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

const verdict = (row: (typeof rows)[number]): string => {
  if ('target' in row && row.target !== undefined)
    return row.ours / row.base <= row.target ? `<= ${row.target}x: met` : `<= ${row.target}x: MISSED`;
  if ('overheadTargetMs' in row && row.overheadTargetMs !== undefined) {
    return row.ours - row.base < row.overheadTargetMs
      ? `< +${row.overheadTargetMs} ms: met`
      : `< +${row.overheadTargetMs} ms: MISSED`;
  }
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

console.log(`\nopenim-friend-events benchmark, ${new Date().toISOString()}, node ${process.version}, ${process.arch}`);
console.table(table);
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
      coldOurs,
      coldFloor,
      coldTraced,
      rows,
    },
    null,
    2,
  ),
);
console.log(`written to ${file}`);
rmSync(work, { recursive: true, force: true });
