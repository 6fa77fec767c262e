import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FriendGraphRows } from '../../functions/adapters/aws/friend-graph-rows';
import { isFriendEvent } from '../../functions/contract/events';
import { sendSmokeCallback } from '../../infra/cli/smoke-test';
import { LOCAL_GRAPH_TABLE } from '../../infra/local/local-dynamodb';
import { LOCAL_BUS_NAME } from '../../infra/local/local-environment';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import { openImRequest, sampleBodies } from '../../infra/openim-sender-simulator/openim-request';
import { sendCallback } from '../../infra/openim-sender-simulator/send-callback';
import { TEST_SETTINGS, UNHURRIED } from '../helpers/harness';
import { snapshotEvents } from '../helpers/snapshot-parts';

/**
 * `npm start` as a user runs it, with a subscriber's own handler module: a process that prints a
 * URL, takes callbacks, prints one readable line per callback, park and event (no JSON logs at the
 * default level), appends each event as the envelope to its file, delivers matching events to the
 * subscriber as Lambda would, and keeps the friend graph in its local DynamoDB.
 */
const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    : [];

it('serves callbacks, prints a line each, writes envelopes, runs the subscriber module and the graph locally', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-start-'));
  const eventsFile = join(dir, 'events.jsonl');
  const subscriberOut = join(dir, 'subscriber.jsonl');
  const env: Record<string, string | undefined> = {
    ...process.env,
    // The widest reply budget the function accepts: a loaded machine must not decide where the event goes.
    ...TEST_SETTINGS,
    PORT: '0',
    LOCAL_AWS_PORT: '0',
    OPENIM_STANDIN_PORT: '0',
    LOCAL_DYNAMODB_DIR: 'memory',
    LOCAL_ENDPOINTS_FILE: join(dir, 'endpoints.json'),
    EVENTS_FILE: eventsFile,
    SUBSCRIBER_OUT: subscriberOut,
    NODE_NO_WARNINGS: '1',
  };
  delete env.POWERTOOLS_LOG_LEVEL; // npm start's own default, not the tests' silence
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/start.ts', '--subscriber', 'test/fixtures/local-subscriber.ts#onFriendEvent'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
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
  const until = async <T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    const [, callbackUrl] = await waitFor(/OpenIM callback URL \(webhooks\.yml "url"\):\s+(\S+)/);
    const [, endpoint] = await waitFor(/Loopback AWS endpoint[^:]*: (http:\/\/\S+)/);
    expect(output).toContain(
      'Your subscriber test/fixtures/local-subscriber.ts#onFriendEvent gets every event matching {"source":["openim"],"detail-type":[',
    );
    // OpenIM's own callback, then npm run send's (test traffic, which the local graph and subscriber take too).
    const response = await sendCallback(
      openImRequest('v3.7+', String(callbackUrl), { ...sampleBodies.callbackAfterAddFriendAgreeCommand }, 'op-start'),
      UNHURRIED.replyBudgetMs,
    );
    expect(decodeOpenImReply(response.body).actionCode).toBe(0);
    const smoke = await sendSmokeCallback({
      url: String(callbackUrl),
      command: 'callbackAfterAddFriendAgreeCommand',
      version: 'v3.7+',
      operationID: 'op-smoke',
      users: { user: 'synthetic:1', otherUser: 'synthetic:2' },
      timeoutMs: UNHURRIED.replyBudgetMs,
    });
    expect(smoke.pass).toBe(true);

    await waitFor(/callback {4}POST \/openim\/<token>\/callbackAfterAddFriendAgreeCommand -> 200 accepted/); // the token is masked
    await waitFor(
      /event {7}AfterAddFriendAgree 3958741620 <-> 6127384950 \(friends now\) \[operationID op-start\] on openim-friend-events-local\n/,
    );
    await waitFor(
      /event {7}AfterAddFriendAgree synthetic:1 <-> synthetic:2 \(friends now\) \[operationID op-smoke, synthetic\]/,
    );

    // The subscriber got both envelopes, as its Lambda would, with a context.
    const received = await until(() => (lines(subscriberOut).length === 2 ? lines(subscriberOut) : undefined));
    expect(received.map((line) => [line.isFriendEvent, line.functionName])).toEqual([
      [true, 'local-subscriber'],
      [true, 'local-subscriber'],
    ]);
    await waitFor(/subscriber {2}test\/fixtures\/local-subscriber\.ts#onFriendEvent handled AfterAddFriendAgree/);
    // The events file holds the same envelopes.
    const events = lines(eventsFile);
    expect(
      events.map((event) => [isFriendEvent(event), (event.detail as { operationID: string }).operationID]),
    ).toEqual([
      [true, 'op-start'],
      [true, 'op-smoke'],
    ]);

    // The friend graph, in the local DynamoDB behind the endpoint, applied both.
    const rows = new FriendGraphRows(new DynamoDBClient({ endpoint, region: 'us-east-1' }), LOCAL_GRAPH_TABLE);
    const friendsOf = async (user: string) => [...(await rows.ownerView(user)).friends.keys()];
    expect(
      await until(async () => ((await friendsOf('3958741620')).length > 0 ? friendsOf('3958741620') : undefined)),
    ).toEqual(['6127384950']);
    expect(
      await until(async () => ((await friendsOf('synthetic:2')).length > 0 ? friendsOf('synthetic:2') : undefined)),
    ).toEqual(['synthetic:1']);

    // Its name is the module's base name, and its default pattern takes the snapshots addressed to
    // that name only: one for another subscriber, put first, never reaches it.
    await waitFor(
      /Its name is local-subscriber: send it its snapshot with (?:\S+ )?npm run snapshot -- --local --for local-subscriber/,
    );
    const bus = new EventBridgeClient({ endpoint, region: 'us-east-1' });
    const snapshotFor = (subscriber: string) =>
      snapshotEvents(new Map([['3958741620', { friends: [{ userID: '6127384950', remark: '' }], blacks: [] }]]), {
        address: { id: `run-${subscriber}`, for: subscriber },
        observedAt: new Date().toISOString(),
        completedAt: new Date().toISOString(),
      });
    for (const subscriber of ['someone-else', 'local-subscriber']) {
      const { parts, completed } = snapshotFor(subscriber);
      const put = await bus.send(
        new PutEventsCommand({
          Entries: [...parts, completed].map((event) => ({
            EventBusName: LOCAL_BUS_NAME,
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      expect(put.FailedEntryCount).toBe(0);
    }
    const withSnapshot = await until(() => (lines(subscriberOut).length === 4 ? lines(subscriberOut) : undefined));
    expect(
      withSnapshot
        .slice(2)
        .map((line) => {
          const event = line.event as { 'detail-type': string; detail: { snapshot: { for: string } } };
          return `${event['detail-type']} for ${event.detail.snapshot.for}`;
        })
        .sort(),
    ).toEqual(['FriendListSnapshot for local-subscriber', 'FriendSnapshotCompleted for local-subscriber']);

    // A parked event is one line too, and at the default level no function prints its JSON log.
    await fetch(`${endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify({ seconds: 600 }) });
    await sendCallback(
      openImRequest('v3.7+', String(callbackUrl), { ...sampleBodies.callbackAfterAddFriendCommand }, 'op-parked'),
      UNHURRIED.replyBudgetMs,
    );
    await waitFor(/parked {6}AfterAddFriend 3958741620 -> 6127384950 \(request\) \[operationID op-parked\]: /);
    expect(output.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);

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
    expect(output.slice(output.indexOf('callback    '))).not.toContain(token); // the banner shows it on purpose
    await waitFor(/POST \/\/openim\/\/<token>\/callbackAfterAddFriendCommand -> 401/);
    expect(output).not.toContain('an-old-token-after-rotation');
    expect(output).not.toContain('a-wrong-token-after-a-double-slash');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
