import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { FailedEntry } from '../../../functions/adapters/aws/event-bus';
import { encodeParkedMessage, fromParkedMessage, toParkedMessage } from '../../../functions/adapters/aws/retry-queue';
import {
  AUTHORIZATION_GRACE_MS,
  type DrainResult,
  drainBatch,
  retryDelaySeconds,
} from '../../../functions/retry/drain';

const entry = (operationID: string): PutEventsRequestEntry => ({
  EventBusName: 'bus',
  Source: 'openim',
  DetailType: 'AfterAddFriend',
  Detail: JSON.stringify({ operationID, idempotencyKey: `key-${operationID}` }),
  Time: new Date('2026-11-26T10:00:00.000Z'),
});
const PARKED_AT = new Date('2026-11-26T10:00:05.000Z');
const record = (operationID: string, receiveCount = 1) => ({
  messageId: `m-${operationID}`,
  receiptHandle: `r-${operationID}`,
  body: encodeParkedMessage(toParkedMessage(entry(operationID), 'InternalException', PARKED_AT)),
  receiveCount,
  sentAt: PARKED_AT.getTime(),
});
/** The drainer's clock this long after the messages were parked. */
const parkedFor = (ms: number) => () => PARKED_AT.getTime() + ms;
/** Long past any grace: what every test not about the grace sees. */
const LATER = parkedFor(24 * 60 * 60 * 1000);
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111111111111:Stack-RetryQueue';
const operationOf = (item: PutEventsRequestEntry) => JSON.parse(String(item.Detail)).operationID as string;

type Answer = (entries: PutEventsRequestEntry[]) => FailedEntry<PutEventsRequestEntry>[];

/** Fake ports: `answer` decides each PutEvents call's failures; everything is recorded. */
const ports = (answer: Answer = () => [], deadLetterFails = false, now = LATER) => {
  const calls: string[][] = [];
  const published: PutEventsRequestEntry[] = [];
  const deadLettered: string[] = [];
  const delayed: [string, number][] = [];
  const results: DrainResult[] = [];
  return {
    calls,
    published,
    deadLettered,
    delayed,
    results,
    ports: {
      publish: async (entries: PutEventsRequestEntry[]) => {
        calls.push(entries.map(operationOf));
        const failed = answer(entries);
        published.push(...entries.filter((item) => !failed.some((failure) => failure.item === item)));
        return failed;
      },
      deadLetter: async (body: string) => {
        if (deadLetterFails) throw new Error('SQS down');
        deadLettered.push(body);
      },
      delayRetry: async (receiptHandle: string, seconds: number) => {
        delayed.push([receiptHandle, seconds]);
      },
      random: () => 1,
      now,
      onResult: (result: DrainResult) => results.push(result),
    },
  };
};

const failing =
  (test: (item: PutEventsRequestEntry) => boolean, reason: string, permanent: boolean): Answer =>
  (entries) =>
    entries.filter(test).map((item) => ({ item, reason, permanent, wholeRequest: false }));

/** EventBridge refusing a whole call (HTTP 400) when one of its entries is bad, as IAM does for a source. */
const refusingRequestsWith =
  (bad: string, reason = 'AccessDeniedException (HTTP 400): not authorized'): Answer =>
  (entries) =>
    entries.some((item) => operationOf(item) === bad)
      ? entries.map((item) => ({
          item,
          reason,
          permanent: true,
          wholeRequest: entries.length > 1,
        }))
      : [];

describe('drainBatch', () => {
  it('publishes every parked entry unchanged in one call: source, detail-type, detail and the original time', async () => {
    const fake = ports();
    const response = await drainBatch([record('a'), record('b')], fake.ports);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(fake.published).toEqual([entry('a'), entry('b')]);
    expect(fake.calls).toEqual([['a', 'b']]);
    expect(fake.delayed).toEqual([]);
  });

  it("adds the retry queue's ARN to each entry's resources (once), the detail and time unchanged", async () => {
    const fake = ports();
    const again = {
      ...record('b'),
      body: encodeParkedMessage(toParkedMessage({ ...entry('b'), Resources: [QUEUE_ARN] }, 'x', new Date())),
    };
    await drainBatch(
      [
        { ...record('a'), queueArn: QUEUE_ARN },
        { ...again, queueArn: QUEUE_ARN },
      ],
      fake.ports,
    );
    expect(fake.published).toEqual([
      { ...entry('a'), Resources: [QUEUE_ARN] },
      { ...entry('b'), Resources: [QUEUE_ARN] },
    ]);
  });

  it('reports only the messages that failed for now, each hidden for a backoff that grows with its receive count', async () => {
    const fake = ports(failing((item) => ['b', 'c'].includes(operationOf(item)), 'ThrottlingException', false));
    const response = await drainBatch([record('a'), record('b', 1), record('c', 4)], fake.ports);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-b' }, { itemIdentifier: 'm-c' }] });
    expect(fake.delayed).toEqual([
      ['r-b', 30],
      ['r-c', 240],
    ]);
    expect(fake.results[0]).toMatchObject({ published: 1, failed: [{ messageId: 'm-b' }, { messageId: 'm-c' }] });
    expect(fake.deadLettered).toEqual([]);
  });

  it('retries a whole call that failed for now (throttling, 5xx, timeout) without splitting it', async () => {
    const fake = ports((entries) =>
      entries.map((item) => ({ item, reason: 'ThrottlingException', permanent: false, wholeRequest: true })),
    );
    const response = await drainBatch([record('a'), record('b')], fake.ports);
    expect(response.batchItemFailures).toHaveLength(2);
    expect(fake.calls).toEqual([['a', 'b']]);
    expect(fake.deadLettered).toEqual([]);
  });

  it('finds the entry that makes a whole call fail permanently: the others are published in the same invocation, it is dead-lettered at once', async () => {
    const fake = ports(refusingRequestsWith('bad'));
    const response = await drainBatch([record('a'), record('bad'), record('b'), record('c')], fake.ports);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(fake.published.map(operationOf).sort()).toEqual(['a', 'b', 'c']);
    expect(fake.calls).toEqual([['a', 'bad', 'b', 'c'], ['a'], ['bad'], ['b'], ['c']]);
    expect(fake.deadLettered.map((body) => operationOf(fromParkedMessage(body).entry))).toEqual(['bad']);
    expect(fake.results[0]).toEqual({
      published: 3,
      failed: [],
      deadLettered: [
        {
          messageId: 'm-bad',
          reason: 'AccessDeniedException (HTTP 400): not authorized',
          entry: { source: 'openim', detailType: 'AfterAddFriend', idempotencyKey: 'key-bad' },
        },
      ],
    });
  });

  it('dead-letters an entry refused with a permanent per-entry code, and retries one refused with a retryable code', async () => {
    const fake = ports((entries) => [
      ...failing((item) => operationOf(item) === 'malformed', 'MalformedDetail: bad JSON', true)(entries),
      ...failing((item) => operationOf(item) === 'busy', 'InternalFailure: try again', false)(entries),
    ]);
    const response = await drainBatch([record('a'), record('malformed'), record('busy')], fake.ports);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-busy' }]);
    expect(fake.deadLettered.map((body) => operationOf(fromParkedMessage(body).entry))).toEqual(['malformed']);
    expect(fake.calls).toEqual([['a', 'malformed', 'busy']]);
  });

  describe('while IAM changes propagate (after a deploy)', () => {
    const refusedAll =
      (reason: string, wholeRequest = false): Answer =>
      (entries) =>
        entries.map((item) => ({ item, reason, permanent: true, wholeRequest: wholeRequest && entries.length > 1 }));

    it.each([
      [
        'a whole call refused',
        'AccessDeniedException (HTTP 400): User is not authorized to perform: events:PutEvents',
        true,
      ],
      ['an entry refused', 'AccessDeniedException: not authorized', false],
      ['an entry refused for its source', 'NotAuthorizedForSourceException: not authorized for source openim', false],
      ['an entry refused for its detail-type', 'NotAuthorizedForDetailTypeException: not authorized', false],
    ])(
      'retries %s with the backoff while the message was parked less than the grace ago',
      async (_label, reason, whole) => {
        const fake = ports(refusedAll(reason, whole), false, parkedFor(AUTHORIZATION_GRACE_MS - 1));
        const response = await drainBatch([record('a', 3), record('b', 3)], fake.ports);
        expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-a' }, { itemIdentifier: 'm-b' }]);
        expect(fake.deadLettered).toEqual([]);
        expect(fake.delayed).toEqual([
          ['r-a', 120],
          ['r-b', 120],
        ]);
        expect(fake.results[0]?.failed[0]?.reason).toBe(
          `${reason} (an authorization refusal: retried while IAM changes may still be propagating)`,
        );
      },
    );

    it('dead-letters an authorization refusal once the message was parked longer than the grace ago', async () => {
      const fake = ports(refusedAll('AccessDeniedException: not authorized'), false, parkedFor(AUTHORIZATION_GRACE_MS));
      const response = await drainBatch([record('a', 6)], fake.ports);
      expect(response.batchItemFailures).toEqual([]);
      expect(fake.results[0]?.deadLettered).toEqual([
        { messageId: 'm-a', reason: 'AccessDeniedException: not authorized', entry: expect.any(Object) },
      ]);
    });

    it('still dead-letters at once a refusal that no propagation explains (a malformed detail)', async () => {
      const fake = ports(refusedAll('MalformedDetail: bad JSON'), false, parkedFor(0));
      const response = await drainBatch([record('a')], fake.ports);
      expect(response.batchItemFailures).toEqual([]);
      expect(fake.deadLettered).toHaveLength(1);
    });
  });

  /** A parked message whose stored entry has these fields (as a message edited, or written by a bug, would). */
  const parkedWith = (fields: Record<string, unknown>) => {
    const message = JSON.parse(record('bad').body);
    return { ...record('bad'), body: JSON.stringify({ ...message, entry: { ...message.entry, ...fields } }) };
  };

  it.each([
    ['a Time that is not a date', { Time: 'soon' }, 'invalid entry: Time is not a valid date'],
    ['a Detail that is not JSON', { Detail: '{"operationID":' }, 'invalid entry: Detail is not a JSON object'],
    ['no Source', { Source: '' }, 'invalid entry: no Source'],
  ])('dead-letters at once, without sending it, an entry with %s', async (_label, fields, reason) => {
    const fake = ports();
    const bad = parkedWith(fields);
    const response = await drainBatch([record('a'), bad], fake.ports);
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.calls).toEqual([['a']]);
    expect(fake.results[0]?.deadLettered).toEqual([{ messageId: 'm-bad', reason, entry: expect.any(Object) }]);
    expect(fromParkedMessage(fake.deadLettered[0] ?? '').reason).toBe(`can never be published: ${reason}`);
  });

  it('dead-letters an unreadable message unchanged at once, publishing the rest', async () => {
    const fake = ports();
    const response = await drainBatch([{ ...record('a'), body: 'not json' }, record('b')], fake.ports);
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.published).toEqual([entry('b')]);
    expect(fake.deadLettered).toEqual(['not json']);
    expect(fake.results[0]?.deadLettered[0]?.reason).toMatch(/unreadable message/);
  });

  it('retries an entry it could not dead-letter, so nothing is lost', async () => {
    const fake = ports(refusingRequestsWith('bad'), true);
    const response = await drainBatch([record('bad', 3)], fake.ports);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-bad' }]);
    expect(fake.delayed).toEqual([['r-bad', 120]]);
    expect(fake.results[0]?.failed[0]?.reason).toMatch(/sending it to the dead-letter queue failed: Error: SQS down/);
  });
});

describe('retryDelaySeconds', () => {
  it('doubles from 30 s up to a 15 minute cap, with jitter in the upper half', () => {
    expect([1, 2, 3, 6, 7, 20].map((count) => retryDelaySeconds(count, () => 1))).toEqual([30, 60, 120, 900, 900, 900]);
    expect(retryDelaySeconds(1, () => 0)).toBe(15);
  });

  it('spans hours over the default 20 receives', () => {
    const total = (random: () => number) =>
      Array.from({ length: 19 }, (_, index) => retryDelaySeconds(index + 1, random)).reduce((a, b) => a + b, 0);
    expect(total(() => 0) / 3_600).toBeGreaterThan(1.5);
    expect(total(() => 1) / 3_600).toBeLessThan(4);
  });
});
