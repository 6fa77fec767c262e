import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeEvent, sendSmokeCallback, waitForLocalEvent } from '../../infra/cli/smoke-test';
import { appendEvent } from '../../infra/cli-kit/event-log';
import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { envelopeOf } from '../../infra/local/event-envelope';
import { startLocalServer } from '../../infra/local/http-api-adapter';
import { LOCAL_BUS_NAME, LOCAL_SECRET_ID, startLocalAws } from '../../infra/local/local-environment';
import { OPENIM_VERSIONS, sendsCommand } from '../../infra/openim-sender-simulator/openim-request';
import { testHandler, UNHURRIED } from '../helpers/harness';
import { runCli } from '../helpers/run-cli';

/**
 * `npm run send` against the local server, and against a "deployed" stack: the emulator's
 * DescribeStacks answers a stack whose callback URL is the local server and whose bus is the
 * local bus, so the temporary rule and queue of `--expect-event` are made, used and deleted
 * through the real SDK, as on AWS.
 */
const TOKEN = 'send-cli-token-abcdefghijklmnopqrstuvwxyz01';
let emulator: AwsEmulator;
let url: string;
let close: () => Promise<void>;
const dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-send-'));
const eventsFile = join(dir, 'events.jsonl');
const busArn = (name: string) => `arn:aws:events:us-east-1:000000000000:event-bus/${name}`;

beforeAll(async () => {
  ({ emulator } = await startLocalAws({ token: TOKEN }));
  emulator.onEvent((event) => appendEvent(eventsFile, envelopeOf(event))); // as npm start does
  ({ url, close } = await startLocalServer(await testHandler(process.env), {
    invocationTimeoutMs: UNHURRIED.replyBudgetMs,
  }));
  const stack = { CallbackBaseUrl: `${url}/openim`, TokenSecretArn: LOCAL_SECRET_ID };
  emulator.stacks.set('Deployed', { ...stack, EventBusName: LOCAL_BUS_NAME, EventBusArn: busArn(LOCAL_BUS_NAME) });
  // Its callbacks publish to the local bus, but its bus is another: nothing ever reaches the rule.
  emulator.stacks.set('Elsewhere', { ...stack, EventBusName: 'elsewhere', EventBusArn: busArn('elsewhere') });
});
afterAll(async () => {
  await close();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** No running npm start's endpoints file: what send does is only what its flags say. */
const send = (...args: string[]) =>
  runCli('infra/cli/send.ts', args, { LOCAL_ENDPOINTS_FILE: join(dir, 'no-endpoints.json') });
/** No reply or event wait that a slow machine could run out of: the outcome is the test's subject. */
const UNHURRIED_WAIT = String(UNHURRIED.replyBudgetMs);
const leftovers = () => ({
  rules: [...emulator.ruleNames(LOCAL_BUS_NAME), ...emulator.ruleNames('elsewhere')],
  queues: emulator.queueUrls().filter((queue) => queue.includes('smoke')),
});
const usersOf = (operationID: string) => {
  const detail = emulator.events.find((event) => event.detail.operationID === operationID)?.detail;
  return [detail?.fromUserID ?? detail?.ownerUserID, detail?.synthetic];
};

describe('the smoke test', () => {
  it.each(
    OPENIM_VERSIONS.flatMap((version) =>
      (
        [
          'callbackAfterAddFriendCommand',
          'callbackAfterAddFriendAgreeCommand',
          'callbackAfterImportFriendsCommand',
          'callbackAfterDeleteFriendCommand',
          'callbackAfterSetFriendRemarkCommand',
          'callbackAfterRemoveBlackCommand',
        ] as const
      )
        .filter((command) => sendsCommand(version, command))
        .map((command) => [version, command] as const),
    ),
  )(
    'passes for an OpenIM %s server sending %s; its event is synthetic and names users no OpenIM has',
    async (version, command) => {
      const operationID = `op-${version}-${command}`;
      const sent = await sendSmokeCallback({
        url: `${url}/openim/${TOKEN}`,
        command,
        version,
        operationID,
        users: { user: 'synthetic:3958741620', otherUser: 'synthetic:6127384950' },
        timeoutMs: UNHURRIED.replyBudgetMs,
      });
      expect(sent.lines).toContain('PASS: OpenIM reads this reply as success');
      const event = await waitForLocalEvent(eventsFile, operationID, UNHURRIED.replyBudgetMs);
      expect(judgeEvent(event, 'the local bus', 'none').pass).toBe(true);
      expect(usersOf(operationID)).toEqual(['synthetic:3958741620', true]);
    },
  );
});

describe('npm run send', () => {
  it('against the local server: sends as OpenIM, marked synthetic, and sees the event in its file', async () => {
    const { code, stdout } = await send(
      ...['--url', `${url}/openim/${TOKEN}`, '--expect-event', '--events-file', eventsFile],
      ...['--operation-id', 'op-local', '--timeout', UNHURRIED_WAIT, '--event-timeout', UNHURRIED_WAIT],
    );
    expect(stdout).toContain('PASS: OpenIM reads this reply as success');
    // Said before the wait, which lasts as long as a parked event's first retry.
    expect(stdout).toMatch(
      /waiting up to \d+ s for the event on the local bus \(.*events\.jsonl\)\.\.\. \(if EventBridge failed, the event is parked: the drainer's first retry comes 15-30 s later\)\nPASS: AfterAddFriend event reached the local bus/,
    );
    expect(stdout).toContain('/openim/<token>');
    expect(stdout).not.toContain(TOKEN);
    expect(usersOf('op-local')).toEqual(['synthetic:3958741620', true]);
    expect(code).toBe(0);
  });

  it('names the users given, and notes that an ID without ":" could be a real one', async () => {
    const { code, stdout } = await send(
      ...['--url', `${url}/openim/${TOKEN}`, '--operation-id', 'op-users', '--timeout', UNHURRIED_WAIT],
      ...['--user', 'alice', '--other-user', 'synthetic:bob'],
    );
    expect(stdout).toContain(
      'note: alice has no ":", so it could be a real OpenIM user; the event is still marked synthetic',
    );
    expect(stdout).not.toContain('note: synthetic:bob');
    expect(usersOf('op-users')).toEqual(['alice', true]);
    expect(code).toBe(0);
  });

  it("against a deployed stack: a temporary rule and queue on the stack's bus see the event, then are deleted", async () => {
    const { code, stdout, stderr } = await send(
      ...['--stack', 'Deployed', '--expect-event', '--settle', '0', '--operation-id', 'op-deployed'],
      ...['--timeout', UNHURRIED_WAIT, '--event-timeout', UNHURRIED_WAIT],
    );
    expect(stderr).toBe('');
    expect(stdout).toMatch(
      /watching bus openim-friend-events-local through the temporary rule openim-friend-events-smoke-\w+/,
    );
    expect(stdout).toContain('PASS: OpenIM reads this reply as success');
    expect(stdout).toContain('PASS: AfterAddFriend event reached bus openim-friend-events-local, marked synthetic');
    expect(stdout).not.toContain(TOKEN);
    expect(code).toBe(0);
    const calls = emulator.requests.map(({ operation }) => operation);
    expect(calls).toEqual(
      expect.arrayContaining(['PutRule', 'CreateQueue', 'PutTargets', 'RemoveTargets', 'DeleteRule', 'DeleteQueue']),
    );
    expect(leftovers()).toEqual({ rules: [], queues: [] });
  });

  it('fails with a clear timeout when no event reaches the bus, and still deletes the rule and queue', async () => {
    const { code, stdout } = await send(
      ...['--stack', 'Elsewhere', '--expect-event', '--settle', '0', '--timeout', UNHURRIED_WAIT],
      '--event-timeout',
      '500', // it never comes: how long to wait is only how long the test takes
    );
    expect(stdout).toContain('PASS: OpenIM reads this reply as success');
    expect(stdout).toMatch(
      /FAIL: no event with operationID smoke-[\w-]+ reached bus elsewhere within 0\.5 s, although the callback was accepted/,
    );
    expect(code).toBe(1);
    expect(leftovers()).toEqual({ rules: [], queues: [] });
  });

  it.each([
    ['PutRule', 'before anything exists'],
    ['PutTargets', 'after the rule and the queue exist'],
  ] as const)(
    '%s failing (%s) is one line (exit 3), with no warning, and leaves nothing behind',
    async (operation, _when) => {
      emulator.injectFault(operation, 'server-error', 3); // the SDK tries a 500 three times
      try {
        const { code, stdout, stderr } = await send('--stack', 'Deployed', '--expect-event', '--settle', '0');
        expect(stderr).toMatch(/^error: InternalException: injected\n$/);
        expect(stdout).toBe('');
        expect(code).toBe(3);
      } finally {
        emulator.clearFaults();
      }
      expect(leftovers()).toEqual({ rules: [], queues: [] });
    },
  );

  it('deletes the rule and queue on Ctrl-C while waiting (exit 130)', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'infra/cli/send.ts', '--stack', 'Elsewhere', '--expect-event', '--settle', '0'],
      { env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (interrupted || !stdout.includes('waiting up to')) return;
      interrupted = true;
      // Twice, as an impatient user does: the second must not cut the clean-up short.
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGINT'), 20);
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(stdout).toContain('interrupted: the temporary rule and queue were deleted');
    expect(code).toBe(130);
    expect(leftovers()).toEqual({ rules: [], queues: [] });
  });

  it('fails when the event does not reach the local bus', async () => {
    const { code, stdout } = await send(
      ...['--url', `${url}/openim/${TOKEN}`, '--expect-event', '--events-file', join(dir, 'elsewhere.jsonl')],
      ...['--timeout', UNHURRIED_WAIT, '--event-timeout', '500'],
    );
    expect(stdout).toContain('FAIL: no event with operationID');
    expect(code).toBe(1);
  });

  it('fails with exit code 1 and the reason when the token is wrong', async () => {
    const { code, stdout } = await send('--url', `${url}/openim/not-the-token`, '--timeout', UNHURRIED_WAIT);
    expect(stdout).toMatch(/reply: HTTP 401 in [\d.]+ ms: \{"actionCode":1,"errCode":20005/);
    expect(stdout).toContain('FAIL: OpenIM reads this as an error (errCode 20005');
    expect(code).toBe(1);
  });

  it('never prints the token given inside --url, even with a command pasted after it', async () => {
    const { code, stdout } = await send('--url', `${url}/openim/${TOKEN}/callbackAfterAddFriendCommand`);
    expect(stdout).toContain('/openim/<token>/callbackAfterAddFriendCommand');
    expect(stdout).not.toContain(TOKEN);
    expect(code).toBe(1); // the server reads the doubled command as no command it handles
  });

  it('fails when nothing answers', async () => {
    const { code, stdout } = await send('--url', 'http://127.0.0.1:9/openim/x', '--timeout', UNHURRIED_WAIT);
    expect(stdout).toMatch(/FAIL: .*ECONNREFUSED/);
    expect(code).toBe(1);
  });
});

describe('npm run send refuses before sending (one line, exit 2)', () => {
  it.each([
    [
      ['--url', `http://127.0.0.1:9/openim/${TOKEN}/`],
      '--url must not end with a slash: OpenIM appends /<command> to it',
    ],
    [['--url', `http://127.0.0.1:9/openim/${TOKEN}?x=1`], '--url must not have a query string'],
    [
      [
        '--url',
        'http://127.0.0.1:9/openim/t',
        '--server-version',
        'v3.4.2-v3.6',
        '--command',
        'callbackAfterRemoveBlackCommand',
      ],
      'an OpenIM v3.4.2-v3.6 server never sends callbackAfterRemoveBlackCommand',
    ],
    [
      ['--url', 'https://abc.execute-api.eu-west-1.amazonaws.com/openim/t', '--expect-event'],
      '--expect-event against a deployed stack needs --stack <name>',
    ],
    [[], '--url or --stack is required when no npm start is running (it writes its URL to .local/endpoints.json)'],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await send(...args);
    expect(stderr.split('\n')[0]).toContain(`error: ${message}`);
    expect(stderr.split('\n')[1]).toMatch(/^usage: npm run send -- \[--url <callback url> \| --stack <name>\]/);
    expect(stderr).not.toContain(TOKEN);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});
