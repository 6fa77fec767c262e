import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { entrySizeBytes, putOnce, toBatches, toPutEventsEntry } from '../../../functions/aws/event-bus';

const entry = (detailBytes: number): PutEventsRequestEntry => ({
  Source: 'openim',
  DetailType: 'AfterImportFriends',
  Detail: 'x'.repeat(detailBytes),
});

describe('toPutEventsEntry', () => {
  it('addresses the event to the bus with its source, detail-type, JSON detail and receive time', () => {
    const draft = {
      detailType: 'AfterAddFriend' as const,
      detail: {
        schemaVersion: 1 as const,
        callbackCommand: 'callbackAfterAddFriendCommand' as const,
        operationID: '',
        receivedAt: '2026-11-25T10:00:00.000Z',
        idempotencyKey: 'k',
        fromUserID: '1',
        toUserID: '2',
        reqMsg: '',
      },
    };
    expect(toPutEventsEntry(draft, { eventBusName: 'bus', source: 'openim' })).toEqual({
      EventBusName: 'bus',
      Source: 'openim',
      DetailType: 'AfterAddFriend',
      Detail: JSON.stringify(draft.detail),
      Time: new Date('2026-11-25T10:00:00.000Z'),
    });
  });
});

describe('entrySizeBytes', () => {
  it('counts as EventBridge does: 14 bytes of Time plus source, detail-type and detail in UTF-8', () => {
    expect(entrySizeBytes({ Source: 'é', DetailType: 'ab', Detail: '{}' })).toBe(14 + 2 + 2 + 2);
  });
});

describe('toBatches', () => {
  it('puts at most 10 entries in a call', () => {
    const batches = toBatches(
      Array.from({ length: 25 }, () => entry(10)),
      (item) => item,
    );
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('keeps every call within the 1 MB PutEvents request limit (10^6 bytes)', () => {
    const items = Array.from({ length: 9 }, () => entry(200 * 1024));
    const batches = toBatches(items, (item) => item);
    expect(batches.map((batch) => batch.length)).toEqual([4, 4, 1]);
    for (const batch of batches) {
      expect(batch.reduce((sum, item) => sum + entrySizeBytes(item), 0)).toBeLessThanOrEqual(1_000_000);
    }
  });

  it('returns no batch for no entries', () => {
    expect(toBatches([], (item: PutEventsRequestEntry) => item)).toEqual([]);
  });
});

describe('putOnce', () => {
  /** A fake EventBridge client: answers each call with `answer(entries)`, records the calls. */
  const client = (answer: (entries: PutEventsRequestEntry[]) => unknown) => {
    const calls: PutEventsRequestEntry[][] = [];
    const fake = {
      send: async (command: { input: { Entries: PutEventsRequestEntry[] } }) => {
        calls.push(command.input.Entries);
        return answer(command.input.Entries);
      },
    };
    return { fake: fake as unknown as EventBridgeClient, calls };
  };
  const items = ['a', 'b', 'c'].map((id) => ({ ...entry(10), Detail: id }));

  it('makes one call per batch and returns nothing when every entry has an EventId', async () => {
    const { fake, calls } = client((entries) => ({ Entries: entries.map((_, index) => ({ EventId: `e${index}` })) }));
    expect(await putOnce(fake, items, (item) => item, 300)).toEqual([]);
    expect(calls).toEqual([items]);
  });

  it('returns exactly the entries that failed in an HTTP 200 answer, with their error code', async () => {
    const { fake } = client(() => ({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e0' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, { EventId: 'e2' }],
    }));
    expect(await putOnce(fake, items, (item) => item, 300)).toEqual([
      { item: items[1], reason: 'InternalFailure: try again' },
    ]);
  });

  it('returns every entry of a call that threw, with the error, and never throws itself', async () => {
    const { fake } = client(() => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    expect(await putOnce(fake, items, (item) => item, 300)).toEqual(
      items.map((item) => ({ item, reason: 'ThrottlingException: Rate exceeded' })),
    );
  });

  it('counts an entry without an EventId as not published', async () => {
    const { fake } = client(() => ({ Entries: [] }));
    expect((await putOnce(fake, items, (item) => item, 300)).map(({ reason }) => reason)).toEqual(
      items.map(() => 'PutEvents returned no EventId for this entry'),
    );
  });
});
