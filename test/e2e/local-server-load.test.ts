import { fromParkedMessage } from '../../functions/aws/retry-queue';
import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { handlerPool } from '../../infra/local/handler-pool';
import { type HttpApiHandler, startLocalServer } from '../../infra/local/http-api-adapter';
import { LOCAL_RETRY_QUEUE_NAME, startLocalAws } from '../../infra/local/local-environment';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import { captureOutput, TEST_SETTINGS } from '../helpers/harness';

/**
 * The local server as `npm start` runs it (a pool of handler instances, one invocation each at a
 * time, as Lambda does) under 50 concurrent callbacks, over a real socket. How fast they are
 * answered is for `npm run bench`; here: every callback accepted once, nothing mixed up.
 */
const TOKEN = 'load-token-abcdefghijklmnopqrstuvwxyz01234567';
let emulator: AwsEmulator;
let baseUrl: string;
let close: () => Promise<void>;
let pool: { invoke: HttpApiHandler; size: () => number };

beforeAll(async () => {
  ({ emulator } = await startLocalAws({ token: TOKEN, env: TEST_SETTINGS }));
  const { createHandler } = await import('../../functions/openim-callback/handler');
  pool = handlerPool(() => createHandler());
  ({ url: baseUrl, close } = await startLocalServer(pool.invoke));
});
afterAll(async () => {
  await close();
  await emulator.stop();
});

const send = async (operationID: string) => {
  const response = await fetch(`${baseUrl}/openim/${TOKEN}/callbackAfterAddFriendCommand`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', operationID },
    body: JSON.stringify({
      callbackCommand: 'callbackAfterAddFriendCommand',
      fromUserID: '3958741620',
      toUserID: '6127384950',
      reqMsg: 'Hi',
    }),
  });
  return { status: response.status, reply: decodeOpenImReply(await response.text()) };
};

it('answers 50 concurrent callbacks with 200, accepts every one under one idempotency key each, and keeps each log line to its own request', async () => {
  // A bus that takes a while, so that requests really overlap inside the instances.
  emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? { delayMs: 50 } : undefined);
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const output = captureOutput();
  let replies: Awaited<ReturnType<typeof send>>[];
  const operationIDs = Array.from({ length: 50 }, (_, index) => `load-${index}`);
  try {
    replies = await Promise.all(operationIDs.map(send));
  } finally {
    output.restore();
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    emulator.clearFaults();
  }

  expect(replies.map(({ status }) => status)).toEqual(operationIDs.map(() => 200));
  expect(replies.every(({ reply }) => reply.actionCode === 0)).toBe(true);
  // On the bus, or parked when a cold instance on this shared machine missed the publish timeout
  // (then possibly both, if the late PutEvents got in: at least once, with the same key).
  const details = [
    ...emulator.events.map((event) => event.detail),
    ...emulator
      .messages(emulator.queueUrl(LOCAL_RETRY_QUEUE_NAME))
      .map((message) => JSON.parse(fromParkedMessage(message.body).entry.Detail ?? '{}') as Record<string, unknown>),
  ];
  expect(new Set(details.map((detail) => detail.operationID))).toEqual(new Set(operationIDs));
  expect(new Set(details.map((detail) => detail.idempotencyKey)).size).toBe(50);

  const accepted = output.json().filter((line) => String(line.message).startsWith('callback accepted'));
  expect(accepted).toHaveLength(50);
  // One request id per callback: no line carries another invocation's context.
  expect(new Set(accepted.map((line) => line.function_request_id)).size).toBe(50);
  expect(new Set(accepted.map((line) => line.operationID)).size).toBe(50);
  expect(pool.size()).toBeGreaterThan(1);
});
