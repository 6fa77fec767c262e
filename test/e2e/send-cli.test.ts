import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { appendEvent } from '../../infra/local/event-log';
import { startLocalServer } from '../../infra/local/http-api-adapter';
import { startLocalAws } from '../../infra/local/local-environment';
import { OPENIM_VERSIONS, sendsCommand } from '../../infra/openim-sender-simulator/openim-request';
import { testHandler, UNHURRIED } from '../helpers/harness';
import { runCli } from '../helpers/run-cli';

/** `npm run send` against the local server, for every server-version shape. */
const TOKEN = 'send-cli-token-abcdefghijklmnopqrstuvwxyz01';
let emulator: AwsEmulator;
let url: string;
let close: () => Promise<void>;
const dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-send-'));
const eventsFile = join(dir, 'events.jsonl');

beforeAll(async () => {
  ({ emulator } = await startLocalAws({ token: TOKEN }));
  emulator.onEvent((event) => appendEvent(eventsFile, event)); // as npm start does
  ({ url, close } = await startLocalServer(await testHandler(process.env), {
    invocationTimeoutMs: UNHURRIED.replyBudgetMs,
  }));
});
afterAll(async () => {
  await close();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

const send = (...args: string[]) => runCli('infra/cli/send.ts', args, {});
/** No reply or event wait that a slow machine could run out of: the outcome is the test's subject. */
const UNHURRIED_WAIT = String(UNHURRIED.replyBudgetMs);

describe('npm run send', () => {
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
        .map((command) => [version, command]),
    ),
  )('passes for an OpenIM %s server sending %s, and sees the event arrive', async (version, command) => {
    const { code, stdout } = await send(
      '--url',
      `${url}/openim/${TOKEN}`,
      '--server-version',
      version,
      '--command',
      command,
      '--expect-event',
      '--events-file',
      eventsFile,
      '--timeout',
      UNHURRIED_WAIT,
    );
    expect(stdout).toContain('PASS: OpenIM reads this reply as success');
    expect(stdout).toMatch(/PASS: After\w+ event reached bus openim-friend-events-local/);
    expect(stdout).toContain('/openim/<token>');
    expect(stdout).not.toContain(TOKEN);
    expect(code).toBe(0);
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

  it('fails when the event does not reach the bus', async () => {
    const { code, stdout } = await send(
      '--url',
      `${url}/openim/${TOKEN}`,
      '--expect-event',
      '--events-file',
      join(dir, 'elsewhere.jsonl'),
      '--timeout',
      UNHURRIED_WAIT,
      '--event-timeout',
      '500', // it never comes: how long to wait is only how long the test takes
    );
    expect(stdout).toContain('FAIL: no event with operationID');
    expect(code).toBe(1);
  });

  it('fails when nothing answers', async () => {
    const { code, stdout } = await send('--url', 'http://127.0.0.1:9/openim/x', '--timeout', UNHURRIED_WAIT);
    expect(stdout).toMatch(/FAIL: .*ECONNREFUSED/);
    expect(code).toBe(1);
  });

  it('refuses to fake a callback the chosen server version never sends', async () => {
    const { code, stderr } = await send(
      '--url',
      `${url}/openim/${TOKEN}`,
      '--server-version',
      'v3.4.2-v3.6',
      '--command',
      'callbackAfterRemoveBlackCommand',
    );
    expect(stderr).toContain('an OpenIM v3.4.2-v3.6 server never sends callbackAfterRemoveBlackCommand');
    expect(code).toBe(2);
  });

  it('explains its usage when the URL is missing', async () => {
    const { code, stderr } = await send();
    expect(stderr).toContain('usage: npm run send -- --url <callback url>');
    expect(code).toBe(2);
  });
});
