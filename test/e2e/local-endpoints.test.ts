import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalEndpoints } from '../../infra/cli-kit/local-stack';
import { type LocalStart, startLocal } from '../helpers/npm-start';
import { runCli } from '../helpers/run-cli';

/**
 * The first hour: `npm start` on ports of its own (none of the defaults) writes where it is to its
 * endpoints file, every command its banner prints works as printed from another terminal, and
 * `npm run local:reset` refuses while it runs and deletes the local state once it stopped.
 */
const dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-endpoints-'));
const endpointsFile = join(dir, 'endpoints.json');
const eventsFile = join(dir, 'events.jsonl');
const dynamoDbDir = join(dir, 'dynamodb');
const SCRIPTS = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
/** What another terminal has: no LOCAL_AWS_PORT, no flags; only what the banner prints. */
const terminal = { LOCAL_AWS_PORT: undefined, LOCAL_ENDPOINTS_FILE: undefined, EVENTS_FILE: undefined };

let local: LocalStart;

/** Runs `[VAR=value ...] npm run <script> [-- args]` as a shell would, through the script's file. */
const runPrinted = (line: string) => {
  const words = line.trim().split(/\s+/);
  const env: Record<string, string | undefined> = { ...terminal };
  while (words[0]?.includes('=')) {
    const [name = '', value = ''] = String(words.shift()).split('=');
    env[name] = value;
  }
  expect(words.slice(0, 2)).toEqual(['npm', 'run']);
  const script = /\s(\S+\.ts)$/.exec(SCRIPTS[String(words[2])] ?? '')?.[1];
  if (!script) throw new Error(`no npm script ${words[2]}`);
  const args = words.slice(3);
  return runCli(script, args[0] === '--' ? args.slice(1) : args, env);
};

beforeAll(async () => {
  local = await startLocal(dir);
}, 60_000);

afterAll(async () => {
  await local.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('writes its endpoints, ports included, to the endpoints file while it runs', () => {
  const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as LocalEndpoints;
  expect(endpoints).toEqual({
    pid: local.pid,
    callbackUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/openim\/local-dev-token$/),
    awsEndpoint: `http://127.0.0.1:${endpoints.ports.aws}`,
    openImApiUrl: `http://127.0.0.1:${endpoints.ports.standIn}`,
    standIn: true,
    eventsFile,
    ports: { callback: expect.any(Number), aws: expect.any(Number), standIn: expect.any(Number) },
  });
  expect(endpoints.ports.aws).not.toBe(8788);
  expect(endpoints.ports.standIn).not.toBe(10_302);
  expect(local.output()).toContain(
    `Loopback AWS endpoint (EventBridge, SQS, Secrets Manager): ${endpoints.awsEndpoint}`,
  );
});

it('the commands its banner prints work as printed from another terminal, on its own ports', async () => {
  const printed = [...local.output().matchAll(/((?:LOCAL_ENDPOINTS_FILE=\S+ )?npm run \S+ -- .*?)(?= {2,}|$)/gm)].map(
    (match) => String(match[1]),
  );
  const line = (script: string) => printed.find((command) => command.includes(`npm run ${script} `)) ?? '';
  expect(printed.map((command) => command.replace(/^LOCAL_ENDPOINTS_FILE=\S+ /, ''))).toEqual([
    'npm run local:fail -- --seconds 30',
    'npm run reconcile -- --local',
    'npm run graph -- --local --user <id>',
    'npm run send -- --expect-event',
  ]);

  const sent = await runPrinted(line('send'));
  expect(sent.stdout).toMatch(/PASS: AfterAddFriend event reached the local bus \(.*events\.jsonl\), marked synthetic/);
  expect(sent.code).toBe(0);

  const swept = await runPrinted(line('reconcile'));
  expect(swept.stdout).toMatch(/sweep manual-\S+ started/);
  expect(swept.code).toBe(0);

  const graph = await runPrinted(line('graph').replace('<id>', '6127384950'));
  expect(graph.stdout).toMatch(/^6127384950: \d+ friend\(s\)/);
  expect(graph.code).toBe(0);

  const failing = await runPrinted(line('local:fail'));
  expect(failing.stdout).toMatch(/^EventBridge \(PutEvents\) answers server-error for 30 s/);
  expect(failing.code).toBe(0);
}, 120_000);

it('npm run local:reset refuses while npm start runs; once it stopped (endpoints file removed), deletes the local state', async () => {
  const env = {
    ...terminal,
    LOCAL_ENDPOINTS_FILE: endpointsFile,
    EVENTS_FILE: eventsFile,
    LOCAL_DYNAMODB_DIR: dynamoDbDir,
  };
  const refused = await runCli('infra/local/local-reset.ts', [], env);
  expect(refused.stderr).toMatch(/^error: npm start is running \(pid \d+, .*\): stop it first/);
  expect(refused.code).toBe(3);
  expect(existsSync(eventsFile)).toBe(true);

  await local.stop();
  expect(existsSync(endpointsFile)).toBe(false);
  expect(existsSync(dynamoDbDir)).toBe(true);

  const reset = await runCli('infra/local/local-reset.ts', [], env);
  expect(reset.stdout).toBe(`deleted ${dynamoDbDir}, ${eventsFile}\n`);
  expect(reset.code).toBe(0);
  expect([existsSync(dynamoDbDir), existsSync(eventsFile)]).toEqual([false, false]);
}, 60_000);
