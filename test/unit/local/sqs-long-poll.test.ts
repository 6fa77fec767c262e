import { jest } from '@jest/globals';
import { SqsQueues } from '../../../infra/local/sqs-queues';

/**
 * The loopback SQS's long poll on jest's fake timers (which also drive Date.now and
 * performance.now): what ends a wait, without waiting. Over HTTP, through the real client:
 * test/integration/emulator-sqs.test.ts.
 */
const URL = 'http://127.0.0.1:4566/000000000000/long-poll';
let queues: SqsQueues;

beforeEach(() => {
  jest.useFakeTimers();
  queues = new SqsQueues(Date.now);
  queues.create(URL);
});
afterEach(() => jest.useRealTimers());

/** A receive whose answer the test can look at without awaiting it. */
const poll = (body: Record<string, unknown>) => {
  const state: { reply?: unknown } = {};
  const done = queues.receiveMessage({ QueueUrl: URL, ...body }).then((reply) => {
    state.reply = reply;
  });
  return { state, done };
};
const bodies = (reply: unknown) =>
  ((reply as [number, { Messages: { Body: string }[] }])[1].Messages ?? []).map((message) => message.Body);

it('without WaitTimeSeconds answers an empty queue at once', async () => {
  const { state, done } = poll({});
  await done;
  expect(state.reply).toEqual([200, { Messages: [] }]);
});

it('answers empty when the wait is over, not before', async () => {
  const { state, done } = poll({ WaitTimeSeconds: 20 });
  await jest.advanceTimersByTimeAsync(19_999);
  expect(state.reply).toBeUndefined();
  await jest.advanceTimersByTimeAsync(1);
  await done;
  expect(state.reply).toEqual([200, { Messages: [] }]);
});

it('answers with an in-flight message once its visibility timeout ends during the wait', async () => {
  queues.enqueue(URL, 'back again');
  expect(bodies(await queues.receiveMessage({ QueueUrl: URL, VisibilityTimeout: 5 }))).toEqual(['back again']);
  const { state, done } = poll({ WaitTimeSeconds: 20 });
  await jest.advanceTimersByTimeAsync(4_999);
  expect(state.reply).toBeUndefined();
  await jest.advanceTimersByTimeAsync(1);
  await done;
  expect(bodies(state.reply)).toEqual(['back again']);
});

it('answers every waiting poll, empty, when the endpoint ends the waits (it is stopping)', async () => {
  const { state, done } = poll({ WaitTimeSeconds: 20 });
  await jest.advanceTimersByTimeAsync(1_000);
  queues.endWaits();
  await done;
  expect(state.reply).toEqual([200, { Messages: [] }]);
  expect(jest.getTimerCount()).toBe(0);
});
