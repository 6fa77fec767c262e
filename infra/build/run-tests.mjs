// `npm test` (started on Node.js 24 by infra/build/node24.mjs): says which Node runs the tests, then lint
// (Biome), then the type-check (tsc) and every jest test side by side, failing when any fails.
// Arguments go to jest: `npm test -- test/unit` runs a folder.
//
// tsc runs at the lowest CPU priority beside jest: jest leaves about a sixth of two cores idle
// (tests that wait on a server or a child process), and tsc's 12 s fit there; should it still run
// when jest ends, it goes back to the normal priority. Its errors are shown as soon as it ends, and
// the run fails after jest (not stopped: its tests' own processes would be left running).
//
// jest runs with TMPDIR set to a directory of this run, removed at the end: each test file gets a
// temp directory of its own inside it (test/scratch-tmp-environment.mjs). Whatever is still in the
// run's directory after jest, besides the run's bundle cache, was written outside any test file's
// and fails the run, named, so the suite provably leaves nothing in the machine's temp directory.
// The bundle cache (infra/build/esbuild-bundle.mjs) lets the test files that synthesize the same
// functions share one esbuild build of each.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
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

/**
 * Sets the CPU priority of every thread of a process: Linux keeps one per thread, and a process
 * whose main thread alone was raised back waits on its garbage collector's threads (on a busy
 * machine, for minutes). Throws when not allowed.
 */
const setProcessPriority = (pid, priority) => {
  let threads = [pid];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    // No /proc (not Linux): the process's priority is the one to set.
  }
  for (const thread of threads) {
    try {
      setPriority(thread, priority);
    } catch (error) {
      if (error.code !== 'ESRCH') throw error; // a thread that has ended meanwhile
    }
  }
};

/**
 * The type-check, started at the lowest priority. `done` resolves with its exit code and what it
 * printed (shown at once when it failed); `hurry()`, once jest has ended, puts a type-check still
 * running back to the normal priority, or, where that is not allowed, runs it again at the normal
 * priority: on a machine that other processes keep busy, the lowest priority would starve it.
 */
const startTypeCheck = () => {
  let current;
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  const start = (lowest) => {
    const child = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    if (lowest) {
      try {
        setProcessPriority(child.pid, 19);
      } catch {
        // Not allowed here: it runs at the normal priority.
      }
    }
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => finish({ code: 1, output: `error: could not run tsc: ${error.message}\n` }));
    child.on('close', (code) => {
      if (child === current) finish({ code: code ?? 1, output });
    });
  };
  start(true);
  done.then(({ code, output }) => {
    if (code !== 0) process.stdout.write(`${output}error: the type-check failed (tsc exit code ${code})\n`);
  });
  const hurry = () => {
    if (current.exitCode !== null || current.signalCode !== null) return;
    try {
      setProcessPriority(current.pid, 0);
    } catch {
      const starved = current;
      start(false);
      starved.kill();
    }
  };
  return { done, hurry };
};

/** jest in a temp directory of this run; fails when the tests left anything there, or when `typeCheck` fails. */
const runJest = async (typeCheck) => {
  const runTmpdir = mkdtempSync(join(tmpdir(), 'openim-friend-events-tests-'));
  try {
    // Native ESM: middy ships only ES modules. A larger young generation (jest's workers inherit
    // it): loading the CDK and the AWS SDK in every test file allocates a lot, and with V8's 16 MB
    // default about a tenth of a worker's CPU went to scavenges; 64 MB took about 7% less CPU.
    const child = spawn(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--max-semi-space-size=64',
        '--no-warnings=ExperimentalWarning',
        'node_modules/jest/bin/jest.js',
        ...process.argv.slice(2),
      ],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, TMPDIR: runTmpdir, OPENIM_BUNDLE_CACHE_DIR: join(runTmpdir, BUNDLE_CACHE) },
      },
    );
    const exited = new Promise((resolve) => {
      child.on('error', (error) => {
        console.error(`error: could not run jest: ${error.message}`);
        resolve(1);
      });
      child.on('close', (code) => resolve(code ?? 1));
    });
    const jest = await exited;
    typeCheck.hurry();
    const { code: tsc } = await typeCheck.done;
    if (tsc !== 0) return tsc; // its errors were printed when it ended
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

const lint = run(['node_modules/@biomejs/biome/bin/biome', 'check', '.']);
process.exit(lint || (await runJest(startTypeCheck())));
