import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import { openImRequest, sampleBodies } from '../../infra/openim-sender-simulator/openim-request';
import { sendCallback } from '../../infra/openim-sender-simulator/send-callback';
import { TEST_SETTINGS, UNHURRIED } from '../helpers/harness';

/** `npm start` as a user runs it: a process that prints a URL, takes callbacks, prints events. */
it('serves callbacks on the printed URL, prints each event and appends it to the JSON-lines file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-start-'));
  const eventsFile = join(dir, 'events.jsonl');
  // The widest reply budget the function accepts: a loaded machine must not decide where the event goes.
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    env: {
      ...process.env,
      ...TEST_SETTINGS,
      PORT: '0',
      LOCAL_AWS_PORT: '0',
      OPENIM_STANDIN_PORT: '0',
      LOCAL_DYNAMODB_DIR: 'memory',
      EVENTS_FILE: eventsFile,
      NODE_NO_WARNINGS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  /** Waits, however long a loaded machine takes (the test's own timeout catches a hang), for a line. */
  const waitFor = async (pattern: RegExp) => {
    for (;;) {
      const match = pattern.exec(output);
      if (match) return match;
      if (child.exitCode !== null)
        throw new Error(`npm start exited (${child.exitCode}) before printing ${pattern}\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  try {
    const [, callbackUrl] = await waitFor(/OpenIM callback URL \(webhooks\.yml "url"\):\s+(\S+)/);
    const response = await sendCallback(
      openImRequest('v3.7+', String(callbackUrl), { ...sampleBodies.callbackAfterAddFriendAgreeCommand }, 'op-start'),
      UNHURRIED.replyBudgetMs,
    );
    expect(decodeOpenImReply(response.body).actionCode).toBe(0);

    await waitFor(/Event on bus openim-friend-events-local: openim \/ AfterAddFriendAgree/);
    await waitFor(/POST \/openim\/<token>\/callbackAfterAddFriendAgreeCommand -> 200 accepted/); // the token is masked
    expect(output).toContain('"operationID": "op-start"');

    // Neither the token nor a wrong one is printed, wherever it stands in the path.
    const token = new URL(String(callbackUrl)).pathname.split('/')[2] ?? '';
    const base = new URL(String(callbackUrl)).origin;
    for (const path of [
      `/openim/${token}/${token}`,
      '/openim/an-old-token-after-rotation/callbackAfterAddFriendCommand',
      '//openim//a-wrong-token-after-a-double-slash/callbackAfterAddFriendCommand',
    ]) {
      await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    }
    await waitFor(/POST \/openim\/<token>\/<token> -> 404/);
    await waitFor(/POST \/openim\/<token>\/callbackAfterAddFriendCommand -> 401/);
    expect(output.slice(output.indexOf('Event on bus'))).not.toContain(token); // the banner shows it on purpose
    await waitFor(/POST \/\/openim\/\/<token>\/callbackAfterAddFriendCommand -> 401/);
    expect(output).not.toContain('an-old-token-after-rotation');
    expect(output).not.toContain('a-wrong-token-after-a-double-slash');
    const lines = readFileSync(eventsFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      detailType: 'AfterAddFriendAgree',
      detail: { operationID: 'op-start' },
    });
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
