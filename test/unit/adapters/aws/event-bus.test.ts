import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  entryProblem,
  entrySizeBytes,
  isPermanentCallError,
  putOnce,
  toBatches,
  toPutEventsEntry,
} from '../../../../functions/adapters/aws/event-bus';

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
  const first = items[0] as PutEventsRequestEntry;

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
      { item: items[1], reason: 'InternalFailure: try again', permanent: false, wholeRequest: false },
    ]);
  });

  it.each([
    ['MalformedDetail', true],
    ['NotAuthorizedForSourceException', true],
    ['AccessDeniedException', true],
    ['InvalidArgument', true],
    ['ThrottlingException', false],
    ['InternalFailure', false],
    ['SomethingNew', false],
  ])('marks a failed entry with code %s as permanent: %s', async (ErrorCode, permanent) => {
    const { fake } = client(() => ({ FailedEntryCount: 1, Entries: [{ ErrorCode, ErrorMessage: 'x' }] }));
    expect(await putOnce(fake, [first], (item) => item, 300)).toEqual([
      { item: first, reason: `${ErrorCode}: x`, permanent, wholeRequest: false },
    ]);
  });

  it('returns every entry of a call that threw, with the error, and never throws itself', async () => {
    const { fake } = client(() => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    expect(await putOnce(fake, items, (item) => item, 300)).toEqual(
      items.map((item) => ({
        item,
        reason: 'ThrottlingException: Rate exceeded',
        permanent: false,
        wholeRequest: true,
      })),
    );
  });

  it('marks the entries of a call refused as a whole with a permanent error, and a lone entry as the one at fault', async () => {
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    const { fake } = client(() => {
      throw denied;
    });
    expect(await putOnce(fake, items, (item) => item, 300)).toEqual(
      items.map((item) => expect.objectContaining({ item, permanent: true, wholeRequest: true })),
    );
    expect(await putOnce(fake, [first], (item) => item, 300)).toEqual([
      expect.objectContaining({ permanent: true, wholeRequest: false }),
    ]);
  });

  it('counts an entry without an EventId as not published', async () => {
    const { fake } = client(() => ({ Entries: [] }));
    expect((await putOnce(fake, items, (item) => item, 300)).map(({ reason }) => reason)).toEqual(
      items.map(() => 'PutEvents returned no EventId for this entry'),
    );
  });
});

describe('isPermanentCallError', () => {
  const error = (name: string, httpStatusCode?: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), { name, ...(httpStatusCode ? { $metadata: { httpStatusCode } } : {}), ...extra });

  it.each([
    ['ValidationException', 400],
    ['AccessDeniedException', 400],
    ['SerializationException', 400],
    ['AccessDeniedException', 403],
  ])('is true for %s (HTTP %s): no retry can help', (name, status) => {
    expect(isPermanentCallError(error(name, status))).toBe(true);
  });

  it.each([
    ['ThrottlingException', 400],
    ['TooManyRequestsException', 429],
    ['RequestTimeout', 408],
    ['InternalException', 500],
    ['ServiceUnavailable', 503],
  ])('is false for %s (HTTP %s): a later try may pass', (name, status) => {
    expect(isPermanentCallError(error(name, status))).toBe(false);
  });

  it('is false for a timeout, a reset or anything without an HTTP answer, and for an error the SDK marks retryable', () => {
    expect(isPermanentCallError(error('TimeoutError'))).toBe(false);
    expect(isPermanentCallError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isPermanentCallError(error('Odd', 400, { $retryable: {} }))).toBe(false);
    expect(isPermanentCallError(undefined)).toBe(false);
  });
});

describe('entryProblem', () => {
  const good: PutEventsRequestEntry = {
    Source: 'openim',
    DetailType: 'AfterAddFriend',
    Detail: '{"a":1}',
    Time: new Date(0),
  };

  it('finds nothing wrong with an entry EventBridge takes (Time may be absent)', () => {
    expect(entryProblem(good)).toBeUndefined();
    expect(entryProblem({ ...good, Time: undefined })).toBeUndefined();
  });

  it.each([
    ['a Time that is not a date', { Time: new Date(Number.NaN) }, 'Time is not a valid date'],
    ['a Detail that is not JSON', { Detail: '{' }, 'Detail is not a JSON object'],
    ['a Detail that is a JSON array', { Detail: '[]' }, 'Detail is not a JSON object'],
    ['no Source', { Source: undefined }, 'no Source'],
    ['no DetailType', { DetailType: '' }, 'no DetailType'],
    ['more bytes than a call takes', { Detail: `{"a":"${'x'.repeat(1_000_000)}"}` }, expect.stringMatching(/bytes/)],
  ])('names %s', (_label, overrides, problem) => {
    expect(entryProblem({ ...good, ...overrides })).toEqual(problem);
  });
});
