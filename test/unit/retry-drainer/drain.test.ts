import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { toParkedMessage } from '../../../functions/aws/retry-queue';
import { type DrainResult, drainBatch, retryDelaySeconds } from '../../../functions/retry-drainer/drain';

const entry = (operationID: string): PutEventsRequestEntry => ({
  EventBusName: 'bus',
  Source: 'openim',
  DetailType: 'AfterAddFriend',
  Detail: JSON.stringify({ operationID, idempotencyKey: `key-${operationID}` }),
  Time: new Date('2026-11-26T10:00:00.000Z'),
});
const record = (operationID: string, receiveCount = 1) => ({
  messageId: `m-${operationID}`,
  receiptHandle: `r-${operationID}`,
  body: JSON.stringify(toParkedMessage(entry(operationID), 'InternalException', new Date())),
  receiveCount,
});

const ports = (failing: (entry: PutEventsRequestEntry) => boolean = () => false) => {
  const published: PutEventsRequestEntry[] = [];
  const delayed: [string, number][] = [];
  const results: DrainResult[] = [];
  return {
    published,
    delayed,
    results,
    ports: {
      publish: async (entries: PutEventsRequestEntry[]) => {
        published.push(...entries.filter((item) => !failing(item)));
        return entries.filter(failing).map((item) => ({ item, reason: 'ThrottlingException' }));
      },
      delayRetry: async (receiptHandle: string, seconds: number) => {
        delayed.push([receiptHandle, seconds]);
      },
      random: () => 1,
      onResult: (result: DrainResult) => results.push(result),
    },
  };
};

describe('drainBatch', () => {
  it('publishes every parked entry unchanged: source, detail-type, detail and the original time', async () => {
    const fake = ports();
    const response = await drainBatch([record('a'), record('b')], fake.ports);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(fake.published).toEqual([entry('a'), entry('b')]);
    expect(fake.delayed).toEqual([]);
  });

  it('reports only the failed messages, each hidden for a backoff that grows with its receive count', async () => {
    const fake = ports((item) => String(item.Detail).includes('"b"') || String(item.Detail).includes('"c"'));
    const response = await drainBatch([record('a'), record('b', 1), record('c', 4)], fake.ports);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-b' }, { itemIdentifier: 'm-c' }] });
    expect(fake.delayed).toEqual([
      ['r-b', 30],
      ['r-c', 240],
    ]);
    expect(fake.results[0]).toMatchObject({ published: 1, failed: [{ messageId: 'm-b' }, { messageId: 'm-c' }] });
  });

  it('retries an unreadable message like a failed one (it ends in the dead-letter queue), publishing the rest', async () => {
    const fake = ports();
    const response = await drainBatch([{ ...record('a'), body: 'not json' }, record('b')], fake.ports);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-a' }]);
    expect(fake.published).toEqual([entry('b')]);
    expect(fake.results[0]?.failed[0]?.reason).toMatch(/unreadable message/);
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
