import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { fromParkedMessage } from '../../functions/adapters/aws/retry-queue';
import { DEFAULTS } from '../../functions/contract/settings';
import { AUTHORIZATION_GRACE_MS } from '../../functions/retry/drain';
import { LOCAL_DEAD_LETTER_QUEUE_NAME } from '../../infra/local/local-environment';
import { pollOnce } from '../../infra/local/sqs-event-source';
import { addFriendBody, httpApiEvent, invoke, useHarness } from '../helpers/harness';

/**
 * The drainer as deployed: the real function and SDK, fed by the same receive/delete cycle as
 * Lambda's SQS event source, against the loopback SQS (with the retry queue's redrive policy)
 * and an EventBridge that is down, partly failing, and back.
 */
const ctx = useHarness();
const sqs = new SQSClient({});

const drainer = async (event: SQSEvent) => {
  const { handler } = await import('../../functions/handlers/retry-drainer');
  return handler(event, { awsRequestId: 'drainer', functionName: 'retry-drainer' } as Context);
};
const drainOnce = () => pollOnce(sqs, { queueUrl: ctx.harness.queueUrl, handler: drainer });
const retryQueue = () => ctx.harness.emulator.messages(ctx.harness.queueUrl);
const deadLetters = () => ctx.harness.emulator.messages(ctx.harness.emulator.queueUrl(LOCAL_DEAD_LETTER_QUEUE_NAME));
/** The backoff has passed: every hidden message is visible again. */
const backoffPassed = () => {
  for (const message of retryQueue()) message.invisibleUntil = 0;
};

/** Parks `count` callbacks the honest way: through the handler while EventBridge refuses them. */
const park = async (count: number) => {
  ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
  for (let index = 0; index < count; index += 1) {
    const headers = { 'content-type': 'application/json', operationid: `op-${index}` };
    await invoke(ctx.handler, httpApiEvent({ body: addFriendBody(), headers }));
  }
  expect(retryQueue()).toHaveLength(count);
  ctx.harness.emulator.clearFaults();
  return retryQueue().map((message) => fromParkedMessage(message.body).entry);
};

describe('the retry drainer', () => {
  it("publishes parked events unchanged once EventBridge is back, the retry queue's ARN in their resources, and empties the queue", async () => {
    const entries = await park(3);
    expect(await drainOnce()).toBe(3);
    expect(retryQueue()).toHaveLength(0);
    expect(ctx.harness.emulator.events).toEqual(
      entries.map((entry) => ({
        eventId: expect.any(String),
        eventBusName: entry.EventBusName,
        source: entry.Source,
        detailType: entry.DetailType,
        detail: JSON.parse(String(entry.Detail)),
        time: entry.Time?.toISOString(),
        resources: ['arn:aws:sqs:us-east-1:000000000000:openim-friend-events-retry'],
      })),
    );
  });

  it('keeps everything while EventBridge is down, each message hidden for its backoff', async () => {
    await park(2);
    ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'throttle' : undefined);
    await drainOnce();
    expect(ctx.harness.emulator.events).toHaveLength(0);
    expect(retryQueue()).toHaveLength(2);
    const visibilityChanges = ctx.harness.emulator.requests.filter(
      (request) => request.operation === 'ChangeMessageVisibility',
    );
    expect(visibilityChanges.map((request) => request.body.VisibilityTimeout)).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
    expect(await drainOnce()).toBe(0); // hidden until the backoff ends
  });

  it('publishes what gets in and retries only the failed messages of a partly failing batch', async () => {
    await park(4);
    ctx.harness.emulator.faultPolicy = (operation) =>
      operation === 'PutEvents' ? { failEntry: (entry) => String(entry.Detail).includes('"op-2"') } : undefined;
    await drainOnce();
    expect(ctx.harness.emulator.events.map((event) => event.detail.operationID).sort()).toEqual([
      'op-0',
      'op-1',
      'op-3',
    ]);
    expect(
      retryQueue().map((message) => JSON.parse(fromParkedMessage(message.body).entry.Detail ?? '{}').operationID),
    ).toEqual(['op-2']);
    ctx.harness.emulator.clearFaults();
    backoffPassed();
    await drainOnce();
    expect(retryQueue()).toHaveLength(0);
    expect(ctx.harness.emulator.events).toHaveLength(4);
  });

  it(`moves a message to the final dead-letter queue after ${DEFAULTS.retryMaxReceiveCount} failed tries`, async () => {
    await park(1);
    ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    for (let attempt = 0; attempt < DEFAULTS.retryMaxReceiveCount; attempt += 1) {
      expect(await drainOnce()).toBe(1);
      backoffPassed();
    }
    expect(await drainOnce()).toBe(0);
    expect(retryQueue()).toHaveLength(0);
    expect(deadLetters()).toHaveLength(1);
    expect(ctx.harness.emulator.events).toHaveLength(0);
  });
});

describe('an entry that can never be published', () => {
  const operationIDs = (events: { detail: Record<string, unknown> }[]) =>
    events.map((event) => String(event.detail.operationID)).sort();
  const deadLetteredOperationIDs = () =>
    deadLetters().map((message) =>
      String(JSON.parse(String(fromParkedMessage(message.body).entry.Detail)).operationID),
    );

  it('does not hold back the good ones: 3 good and 1 refused parked together, 3 on the bus in that invocation, the refused one retried while IAM may propagate, then dead-lettered', async () => {
    await park(3);
    // Parked before `eventSource` was changed: the drainer's role may no longer publish its source.
    ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    const before = await ctx.harness.handlerWith({ EVENT_SOURCE: 'openim-before-rename' });
    const headers = { 'content-type': 'application/json', operationid: 'op-old-source' };
    await invoke(before, httpApiEvent({ body: addFriendBody(), headers }));
    expect(retryQueue()).toHaveLength(4);
    // As IAM does: one entry whose source the policy does not allow fails the whole PutEvents call.
    ctx.harness.emulator.faultPolicy = (operation) =>
      operation === 'PutEvents' ? { denyRequestIf: (entry) => entry.Source !== 'openim' } : undefined;

    expect(await drainOnce()).toBe(4);
    expect(operationIDs(ctx.harness.emulator.events)).toEqual(['op-0', 'op-1', 'op-2']);
    // An authorization refusal may be IAM still propagating a deploy: retried for a while.
    expect(retryQueue()).toHaveLength(1);
    expect(deadLetters()).toHaveLength(0);

    backoffPassed();
    for (const message of retryQueue()) message.sentTimestamp -= AUTHORIZATION_GRACE_MS;
    expect(await drainOnce()).toBe(1);
    expect(retryQueue()).toHaveLength(0);
    expect(deadLetteredOperationIDs()).toEqual(['op-old-source']);
    expect(fromParkedMessage(deadLetters()[0]?.body ?? '').reason).toMatch(
      /^can never be published: AccessDeniedException \(HTTP 400\)/,
    );
  });

  it('is dead-lettered at once when EventBridge refuses it alone with a permanent per-entry code; a retryable code is retried', async () => {
    await park(3);
    ctx.harness.emulator.faultPolicy = (operation) =>
      operation === 'PutEvents'
        ? {
            failEntry: (entry) => String(entry.Detail).includes('"op-1"') || String(entry.Detail).includes('"op-2"'),
            errorCode: 'MalformedDetail',
          }
        : undefined;
    await drainOnce();
    expect(operationIDs(ctx.harness.emulator.events)).toEqual(['op-0']);
    expect(deadLetteredOperationIDs().sort()).toEqual(['op-1', 'op-2']);
    expect(retryQueue()).toHaveLength(0);
  });

  it('is dead-lettered at once, never sent, when its parked Time is not a date (EventBridge would refuse the whole call)', async () => {
    await park(2);
    const [first] = retryQueue();
    if (!first) throw new Error('nothing parked');
    const parked = JSON.parse(first.body);
    first.body = JSON.stringify({ ...parked, entry: { ...parked.entry, Time: 'not a date' } });
    await drainOnce();
    expect(operationIDs(ctx.harness.emulator.events)).toEqual(['op-1']);
    expect(deadLetteredOperationIDs()).toEqual(['op-0']);
    expect(fromParkedMessage(deadLetters()[0]?.body ?? '').reason).toBe(
      'can never be published: invalid entry: Time is not a valid date',
    );
  });
});
