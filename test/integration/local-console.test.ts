import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { redrive } from '../../infra/cli/redrive-events';
import { LocalConsole } from '../../infra/local/local-console';
import { LOCAL_DEAD_LETTER_QUEUE_NAME } from '../../infra/local/local-environment';
import { pollOnce } from '../../infra/local/sqs-event-source';
import { addFriendBody, httpApiEvent, invoke, TOKEN, useHarness } from '../helpers/harness';

/**
 * What `npm start` prints at its default level, from what the loopback endpoint sees: the real
 * callback handler and drainer, a bus that fails and recovers, a redrive, a large import.
 */
const ctx = useHarness();
const sqs = new SQSClient({});
const lines: string[] = [];

beforeAll(() => {
  const { emulator, queueUrl } = ctx.harness;
  const deadLetterQueueUrl = emulator.queueUrl(LOCAL_DEAD_LETTER_QUEUE_NAME);
  new LocalConsole(emulator, { retryQueueUrl: queueUrl, deadLetterQueueUrl }, (line) => lines.push(line)).attach(
    emulator,
  );
});
beforeEach(() => {
  lines.length = 0;
});

const drainer = async (event: SQSEvent) => {
  const { handler } = await import('../../functions/handlers/retry-drainer');
  return handler(event, { awsRequestId: 'drainer', functionName: 'retry-drainer' } as Context);
};
const drainOnce = () => pollOnce(sqs, { queueUrl: ctx.harness.queueUrl, handler: drainer });
const backoffPassed = () => {
  for (const message of ctx.harness.emulator.messages(ctx.harness.queueUrl)) message.invisibleUntil = 0;
};
const failPutEvents = () => {
  ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
};
const addFriend = (operationID: string) =>
  invoke(
    ctx.handler,
    httpApiEvent({ body: addFriendBody(), headers: { 'content-type': 'application/json', operationid: operationID } }),
  );

describe('the local console', () => {
  it('one line each: parked, retried, then delivered from the retry queue after 2 tries', async () => {
    failPutEvents();
    await addFriend('op-park');
    await drainOnce();
    ctx.harness.emulator.clearFaults();
    backoffPassed();
    await drainOnce();
    expect(lines).toEqual([
      expect.stringMatching(
        /^parked {6}AfterAddFriend 3958741620 -> 6127384950 \(request\) \[operationID op-park\]: .*InternalException/,
      ),
      expect.stringMatching(
        /^retry {7}AfterAddFriend 3958741620 -> 6127384950 \(request\) \[operationID op-park\]: not published on try 1; next try in \d+ s$/,
      ),
      'event       AfterAddFriend 3958741620 -> 6127384950 (request) [operationID op-park] on openim-friend-events-local, from the retry queue after 2 tries',
    ]);
    expect(lines.every((line) => line.length < 200)).toBe(true);
  });

  it('a direct delivery says nothing of the retry queue; a synthetic one says so', async () => {
    await invoke(
      ctx.handler,
      httpApiEvent({
        body: addFriendBody(),
        headers: { 'content-type': 'application/json', operationid: 'op-now', 'x-openim-friend-events-synthetic': '1' },
      }),
    );
    expect(lines).toEqual([
      'event       AfterAddFriend 3958741620 -> 6127384950 (request) [operationID op-now, synthetic] on openim-friend-events-local',
    ]);
  });

  it('dead-lettered after the last try, then redriven: one line each', async () => {
    failPutEvents();
    await addFriend('op-dead');
    ctx.harness.emulator.clearFaults();
    // SQS moves it on the receive after the last one the redrive policy allows.
    const [message] = ctx.harness.emulator.messages(ctx.harness.queueUrl);
    if (message) message.receiveCount = 20;
    await drainOnce();
    const deadLetterQueueUrl = ctx.harness.emulator.queueUrl(LOCAL_DEAD_LETTER_QUEUE_NAME);
    await redrive(sqs, {
      fromQueueUrl: deadLetterQueueUrl,
      toQueueUrl: ctx.harness.queueUrl,
      maxMessages: 10,
      visibilityTimeoutSeconds: 30,
    });
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^dead-letter AfterAddFriend .* \[operationID op-dead\]: not published after 20 tries \(the retry queue's maxReceiveCount\); npm run redrive moves it back$/,
      ),
      expect.stringMatching(
        /^redrive {5}AfterAddFriend .* \[operationID op-dead\]: back in the retry queue from the dead-letter queue$/,
      ),
    ]);
  });

  it('an import of 20,000 IDs is one line per part, with a count, not a line per ID', async () => {
    const friendUserIDs = Array.from({ length: 20_000 }, (_, index) => `user-${100_000 + index}`);
    const body = JSON.stringify({
      callbackCommand: 'callbackAfterImportFriendsCommand',
      ownerUserID: 'owner',
      friendUserIDs,
    });
    await invoke(ctx.handler, httpApiEvent({ path: `/openim/${TOKEN}/callbackAfterImportFriendsCommand`, body }));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThan(5);
    const counts = lines.map((line) =>
      Number(/owner \+ ([\d,]+) friends, part \d of \d/.exec(line)?.[1]?.replaceAll(',', '')),
    );
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(20_000);
  });
});
