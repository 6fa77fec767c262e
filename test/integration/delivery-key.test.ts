import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { FriendGraphTable } from '../../functions/adapters/aws/friend-graph-table';
import { fromParkedMessage } from '../../functions/adapters/aws/retry-queue';
import { type FriendEvent, isFriendEvent } from '../../functions/contract/events';
import { applyEvent } from '../../functions/friend-graph/friend-graph';
import { idempotencyKey } from '../../functions/openim/to-events';
import { redrive } from '../../infra/cli/redrive-events';
import type { StoredEvent } from '../../infra/local/aws-emulator';
import { envelopeOf } from '../../infra/local/event-envelope';
import { LOCAL_DEAD_LETTER_QUEUE_NAME } from '../../infra/local/local-environment';
import { pollOnce } from '../../infra/local/sqs-event-source';
import { httpApiEvent, invoke, TOKEN, useHarness } from '../helpers/harness';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';

/**
 * The idempotency key identifies one delivery (one HTTP request of OpenIM, which never retries),
 * not its content, and every copy of that delivery's event carries it: the attempt, the parked
 * message, the drainer's publish, a redrive and an archive replay. Real SDK, loopback emulator,
 * and the reference subscriber on dynalite.
 */
const ctx = useHarness();
const sqs = new SQSClient({});
let dynamo: LocalDynamoDb;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(() => dynamo.stop());

const drainer = async (event: SQSEvent) => {
  const { handler } = await import('../../functions/handlers/retry-drainer');
  return handler(event, { awsRequestId: 'drainer', functionName: 'retry-drainer' } as Context);
};
const drainOnce = () => pollOnce(sqs, { queueUrl: ctx.harness.queueUrl, handler: drainer });
const retryQueue = () => ctx.harness.emulator.messages(ctx.harness.queueUrl);
const deadLetterQueueUrl = () => ctx.harness.emulator.queueUrl(LOCAL_DEAD_LETTER_QUEUE_NAME);

/** One HTTP request of OpenIM, as API Gateway hands it over (with its own request id and receipt time). */
const deliver = async (body: Record<string, unknown>, delivery: { requestId?: string; timeEpoch?: number } = {}) => {
  const { response } = await invoke(
    ctx.handler,
    httpApiEvent({
      path: `/openim/${TOKEN}/${String(body.callbackCommand)}`,
      body: JSON.stringify(body),
      // An admin tool that sends the same operationID header with every call.
      headers: { 'content-type': 'application/json; charset=utf-8', operationid: 'admin-tool-fixed-id' },
      ...delivery,
    }),
  );
  expect(response.statusCode).toBe(200);
};

/** What EventBridge delivers to a subscriber for a stored event (`extra`: a replay's envelope fields). */
const delivered = (stored: StoredEvent, extra: Record<string, unknown> = {}): FriendEvent => {
  const event = { ...envelopeOf(stored), ...extra };
  if (!isFriendEvent(event)) throw new Error(`not a friend event: ${JSON.stringify(event)}`);
  return event;
};

/** A subscriber as the README tells it to be: skip an idempotencyKey it has processed. */
const deduplicatingSubscriber = (store: FriendGraphTable) => {
  const processed = new Set<string>();
  return async (event: FriendEvent) => {
    if (processed.has(event.detail.idempotencyKey)) return 'skipped';
    processed.add(event.detail.idempotencyKey);
    await applyEvent(event, store);
    return 'applied';
  };
};

const importAB = { callbackCommand: 'callbackAfterImportFriendsCommand', ownerUserID: 'A', friendUserIDs: ['B'] };
const deleteFriend = (owner: string, friend: string) => ({
  callbackCommand: 'callbackAfterDeleteFriendCommand',
  ownerUserID: owner,
  friendUserID: friend,
});

describe('one key per delivery', () => {
  it('import A→[B], delete A→B, delete B→A, import A→[B] with one operationID: two keys, and a de-duplicating subscriber ends with A and B friends', async () => {
    const start = Date.now();
    const sequence = [importAB, deleteFriend('A', 'B'), deleteFriend('B', 'A'), importAB];
    for (const [index, body] of sequence.entries()) await deliver(body, { timeEpoch: start + index * 1_000 });

    const events = ctx.harness.emulator.events;
    expect(events).toHaveLength(4);
    const imports = events.filter((event) => event.detailType === 'AfterImportFriends');
    expect(imports.map((event) => event.detail.operationID)).toEqual(['admin-tool-fixed-id', 'admin-tool-fixed-id']);
    expect(imports[0]?.detail.idempotencyKey).not.toBe(imports[1]?.detail.idempotencyKey);

    const table = await dynamo.createFriendGraphTable();
    const subscriber = deduplicatingSubscriber(new FriendGraphTable(dynamo.client, table));
    const outcomes = [];
    for (const event of events) outcomes.push(await subscriber(delivered(event)));
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
    const rows = (await dynamo.items(table)).map((item) => `${item.ownerUserID}->${item.otherUserID}:${item.state}`);
    expect(rows).toEqual(['A->B:friends', 'B->A:friends']); // as OpenIM has them
  });

  it('is the hash of the command, API Gateway request id and receipt time, on the event published at once', async () => {
    const timeEpoch = Date.now();
    await deliver(importAB, { requestId: 'Qx9mZj2hoAMEa0Q=', timeEpoch });
    expect(ctx.harness.emulator.events.map((event) => event.detail.idempotencyKey)).toEqual([
      idempotencyKey('callbackAfterImportFriendsCommand', 'Qx9mZj2hoAMEa0Q=', new Date(timeEpoch)),
    ]);
  });

  it('survives parking, a failed drain, dead-lettering, a redrive and the drain that publishes it', async () => {
    const timeEpoch = Date.now();
    const expected = idempotencyKey('callbackAfterImportFriendsCommand', 'parked-request', new Date(timeEpoch));
    ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    await deliver(importAB, { requestId: 'parked-request', timeEpoch });
    const keyIn = (body: string) => JSON.parse(String(fromParkedMessage(body).entry.Detail)).idempotencyKey;
    expect(retryQueue().map((message) => keyIn(message.body))).toEqual([expected]);

    expect(await drainOnce()).toBe(1); // EventBridge still failing: the message stays, hidden
    expect(retryQueue().map((message) => keyIn(message.body))).toEqual([expected]);
    // What SQS does after maxReceiveCount receives: the message moves to the dead-letter queue.
    ctx.harness.emulator.messages(deadLetterQueueUrl()).push(
      ...retryQueue()
        .splice(0)
        .map((message) => ({ ...message, invisibleUntil: 0 })),
    );

    ctx.harness.emulator.clearFaults();
    const moved = await redrive(sqs, {
      fromQueueUrl: deadLetterQueueUrl(),
      toQueueUrl: ctx.harness.queueUrl,
      maxMessages: 10,
      visibilityTimeoutSeconds: 60,
    });
    expect(moved.moved).toBe(1);
    expect(retryQueue().map((message) => keyIn(message.body))).toEqual([expected]);
    await drainOnce();
    expect(ctx.harness.emulator.events.map((event) => event.detail.idempotencyKey)).toEqual([expected]);
  });

  it('survives an archive replay: the replayed event (new id, replay-name) is a duplicate to the subscriber and the graph', async () => {
    await deliver(importAB);
    const [stored] = ctx.harness.emulator.events;
    if (!stored) throw new Error('nothing published');
    const original = delivered(stored);
    // EventBridge replays the archived event: a new envelope id, a replay-name, the same detail.
    const replayed = delivered(stored, { id: 'replayed-event-id', 'replay-name': 'fix-2026-11-25' });
    expect(replayed.detail.idempotencyKey).toBe(original.detail.idempotencyKey);

    const table = await dynamo.createFriendGraphTable();
    const store = new FriendGraphTable(dynamo.client, table);
    expect(await deduplicatingSubscriber(store)(original)).toBe('applied');
    // The graph's own versions make the replay a no-op even for a subscriber that keeps no key store.
    expect(await applyEvent(replayed, store)).toEqual({ applied: 0, ignored: 2 });
  });
});
