import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { handlerPool } from '../../infra/local/handler-pool';
import { type HttpApiHandler, startLocalServer } from '../../infra/local/http-api-adapter';
import { LOCAL_RETRY_QUEUE_NAME, startLocalAws } from '../../infra/local/local-environment';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import { captureOutput, testHandler, UNHURRIED } from '../helpers/harness';

/**
 * The local server as `npm start` runs it (a pool of handler instances, one invocation each at a
 * time, as Lambda does) under 50 concurrent callbacks, over a real socket. This is about isolation,
 * not speed: 50 cold instances share one event loop here, which a loaded machine can starve for
 * seconds, so the instances get `UNHURRIED` time and no budget runs out on the way. How fast they
 * are answered is for `npm run bench`; here: every callback published once, nothing mixed up.
 */
const TOKEN = 'load-token-abcdefghijklmnopqrstuvwxyz01234567';
let emulator: AwsEmulator;
let baseUrl: string;
let close: () => Promise<void>;
let pool: { invoke: HttpApiHandler; size: () => number };

beforeAll(async () => {
  ({ emulator } = await startLocalAws({ token: TOKEN }));
  pool = handlerPool(() => testHandler(process.env));
  ({ url: baseUrl, close } = await startLocalServer(pool.invoke, { invocationTimeoutMs: UNHURRIED.replyBudgetMs }));
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
  // Each published exactly once, under a key of its own; nothing parked.
  const details = emulator.events.map((event) => event.detail);
  expect(details.map((detail) => detail.operationID).sort()).toEqual([...operationIDs].sort());
  expect(new Set(details.map((detail) => detail.idempotencyKey)).size).toBe(50);
  expect(emulator.messages(emulator.queueUrl(LOCAL_RETRY_QUEUE_NAME))).toEqual([]);

  const accepted = output.json().filter((line) => String(line.message).startsWith('callback accepted'));
  expect(accepted).toHaveLength(50);
  // One request id per callback: no line carries another invocation's context.
  expect(new Set(accepted.map((line) => line.function_request_id)).size).toBe(50);
  expect(new Set(accepted.map((line) => line.operationID)).size).toBe(50);
  expect(pool.size()).toBeGreaterThan(1);
});
