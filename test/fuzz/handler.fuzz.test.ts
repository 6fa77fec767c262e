import fc from 'fast-check';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import { type Harness, httpApiEvent, invoke, startHarness, TEST_SETTINGS, TOKEN } from '../helpers/harness';

/**
 * Property-based fuzzing of the whole handler (real SDK, loopback AWS): whatever arrives, the
 * function never crashes, never answers 5xx (bar 25001), always answers OpenIM's five-key JSON
 * with numeric codes, and never publishes anything it refused. FUZZ_RUNS=100000 for a long run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const COMMANDS = [
  'callbackAfterAddFriendCommand',
  'callbackAfterAddFriendAgreeCommand',
  'callbackAfterImportFriendsCommand',
];

let harness: Harness;
let handler: Awaited<ReturnType<Harness['handlerWith']>>;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  harness = await startHarness(TEST_SETTINGS);
  handler = await harness.handlerWith({ MAX_BODY_BYTES: '200000' });
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await harness.stop();
});

const weirdString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '\u202E', '💥'.repeat(70), '__proto__', 'constructor', 'x'.repeat(300)),
);
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.array(weirdString, { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);
const validBody = fc.record({
  callbackCommand: fc.constantFrom(...COMMANDS),
  fromUserID: fc.string({ minLength: 1, maxLength: 20 }),
  toUserID: fc.string({ minLength: 1, maxLength: 20 }),
  blackUserID: fc.string({ minLength: 1, maxLength: 20 }),
  ownerUserID: fc.string({ minLength: 1, maxLength: 20 }),
  reqMsg: fc.string({ maxLength: 20 }),
  HandleResult: fc.constant(1),
  HandleMsg: fc.string({ maxLength: 20 }),
  friendUserIDs: fc.option(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 5 }), { nil: null }),
});
/** A valid body with some fields replaced, removed or joined by hostile keys. */
const mutatedBody = fc
  .tuple(
    validBody,
    fc.dictionary(
      fc.constantFrom(
        'fromUserID',
        'toUserID',
        'blackUserID',
        'ownerUserID',
        'reqMsg',
        'HandleResult',
        'HandleMsg',
        'friendUserIDs',
        'callbackCommand',
        'extra',
      ),
      weirdValue,
      { maxKeys: 3 },
    ),
    fc.subarray(['fromUserID', 'toUserID', 'reqMsg', 'friendUserIDs', 'HandleResult']),
    fc.constantFrom(
      '',
      '"__proto__":{"polluted":1},',
      '"constructor":{"prototype":{"x":1}},',
      `"a":${'['.repeat(500)}${']'.repeat(500)},`,
    ),
  )
  .map(([body, replaced, removed, hostile]) => {
    const merged: Record<string, unknown> = { ...body, ...replaced };
    for (const key of removed) delete merged[key];
    return `{${hostile}${JSON.stringify(merged).slice(1)}`;
  });
const body = fc.oneof(
  { weight: 4, arbitrary: mutatedBody },
  { weight: 2, arbitrary: validBody.map((value) => `${JSON.stringify(value)}\n`) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value) ?? 'null') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '{',
      '{"a":1',
      '{}',
      '[]',
      'null',
      '1e999',
      '"\\ud800"',
      `{"x":"${'y'.repeat(250_000)}"}`,
    ),
  },
);
/** What an HTTP client puts on the wire for a path segment (lone surrogates cannot be encoded). */
const percentEncode = (segment: string) => encodeURIComponent(segment.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
const path = fc.oneof(
  fc.constantFrom(...COMMANDS).map((command) => `/openim/${TOKEN}/${command}`),
  fc.constantFrom(...COMMANDS).map((command) => `/openim/${TOKEN}//${command}`),
  fc.constant(`/openim/${TOKEN}`),
  weirdString.map((segment) => `/openim/${TOKEN}/${percentEncode(segment)}`),
  weirdString.map((segment) => `/openim/${percentEncode(segment)}/callbackAfterAddFriendCommand`),
  fc.webPath(),
);
const request = fc.record({
  path,
  body: fc.option(body, { nil: undefined }),
  base64: fc.boolean(),
  contentType: fc.option(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/problem+json',
      '',
    ),
    { nil: undefined },
  ),
  operationID: fc.option(weirdString, { nil: undefined }),
  query: fc.option(fc.dictionary(fc.constantFrom('command', 'contenttype', 'x'), weirdString, { maxKeys: 2 }), {
    nil: undefined,
  }),
  sourceIp: fc.oneof(fc.ipV4(), fc.ipV6(), weirdString),
});

it(`answers ${RUNS} generated requests in OpenIM's format without a crash, and publishes only what it accepts`, async () => {
  const putEvents = () => harness.emulator.requests.filter((recorded) => recorded.operation === 'PutEvents').length;
  const errCodes = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (generated) => {
      const headers: Record<string, string> = {};
      if (generated.contentType !== undefined) headers['content-type'] = generated.contentType;
      if (generated.operationID !== undefined) headers.operationid = generated.operationID;
      const event = httpApiEvent({
        path: generated.path,
        headers,
        ...(generated.query ? { query: generated.query } : {}),
        ...(generated.body === undefined
          ? {}
          : { body: generated.base64 ? Buffer.from(generated.body, 'latin1').toString('base64') : generated.body }),
        isBase64Encoded: generated.base64 && generated.body !== undefined,
        sourceIp: generated.sourceIp,
      });
      const before = putEvents();
      const { response, body: replyBody } = await invoke(handler, event);

      expect(response.headers).toEqual({ 'content-type': 'application/json' });
      expect(Object.keys(JSON.parse(replyBody))).toEqual(['actionCode', 'errCode', 'errMsg', 'errDlt', 'nextCode']);
      const reply = decodeOpenImReply(replyBody); // throws where OpenIM could not decode it
      const status = response.statusCode ?? 0;
      if (status >= 500) expect([status, reply.errCode]).toEqual([503, 25001]);
      expect(reply.actionCode === 0).toBe(status === 200);
      errCodes.set(reply.errCode, (errCodes.get(reply.errCode) ?? 0) + 1);
      if (reply.actionCode !== 0) expect(putEvents()).toBe(before);
      else expect(putEvents()).toBeGreaterThan(before);
    }),
    { numRuns: RUNS },
  );
  expect(unhandled).toEqual([]);
  // The generators reach both sides: accepted callbacks and every kind of refusal a request can earn.
  expect([...errCodes.keys()].sort()).toEqual([0, 20001, 20002, 20003, 20004, 20005, 20007, 20008]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});
