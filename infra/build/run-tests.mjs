// `npm test` (started on Node.js 24 by infra/build/node24.mjs): says which Node runs the tests, then lint
// (Biome), type-check (tsc) and every jest test, stopping at the first step that fails. Arguments
// go to jest: `npm test -- test/unit` runs a folder.
//
// jest runs with TMPDIR set to a directory of this run, removed at the end: each test file gets a
// temp directory of its own inside it (test/scratch-tmp-environment.mjs). Whatever is still in the
// run's directory after jest, besides the run's bundle cache, was written outside any test file's
// and fails the run, named, so the suite provably leaves nothing in the machine's temp directory.
// The bundle cache (infra/build/esbuild-bundle.mjs) lets the test files that synthesize the same
// functions share one esbuild build of each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE_CACHE = 'bundle-cache';

console.log(`node ${process.version} (${process.execPath}), ${process.platform}-${process.arch}`);

/** Runs `node <args>` and returns its exit status. */
const run = (args, env = process.env) => {
  const { status, error } = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env });
  if (status !== 0) {
    if (error) console.error(`error: could not run ${args.join(' ')}: ${error.message}`);
    return status ?? 1;
  }
  return 0;
};

/** jest in a temp directory of this run; fails when the tests left anything there. */
const runJest = () => {
  const runTmpdir = mkdtempSync(join(tmpdir(), 'openim-friend-events-tests-'));
  try {
    // Native ESM: middy ships only ES modules.
    const jest = run(
      [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        'node_modules/jest/bin/jest.js',
        ...process.argv.slice(2),
      ],
      { ...process.env, TMPDIR: runTmpdir, OPENIM_BUNDLE_CACHE_DIR: join(runTmpdir, BUNDLE_CACHE) },
    );
    const leftovers = readdirSync(runTmpdir).filter((name) => name !== BUNDLE_CACHE);
    if (leftovers.length > 0) {
      console.error(`error: the tests left in the temp directory, outside any test file's: ${leftovers.join(', ')}`);
      return jest || 1;
    }
    return jest;
  } finally {
    rmSync(runTmpdir, { recursive: true, force: true });
  }
};

process.exit(
  run(['node_modules/@biomejs/biome/bin/biome', 'check', '.']) ||
    run(['node_modules/typescript/bin/tsc', '-p', '.']) ||
    runJest(),
);
