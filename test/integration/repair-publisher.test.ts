import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createRepairPublisher,
  eventPace,
  type SetAsideRepair,
  setAsideInQueue,
} from '../../functions/adapters/aws/repair-publisher';
import { createDeadLetterSender, fromParkedMessage } from '../../functions/adapters/aws/retry-queue';
import type { RepairDraft } from '../../functions/reconcile/repairs';
import { AwsEmulator } from '../../infra/local/aws-emulator';

/** Repairs onto the loopback EventBridge through the real SDK; what can never go is set aside in SQS. */
let emulator: AwsEmulator;
let events: EventBridgeClient;
let sqs: SQSClient;
let deadLetterQueue: string;
beforeAll(async () => {
  emulator = new AwsEmulator();
  const endpoint = await emulator.start();
  events = new EventBridgeClient({ endpoint, maxAttempts: 1 });
  sqs = new SQSClient({ endpoint, maxAttempts: 1 });
});
afterAll(async () => {
  events.destroy();
  sqs.destroy();
  await emulator.stop();
});
beforeEach(() => {
  emulator.reset();
  deadLetterQueue = emulator.createQueue('final-dead-letters');
});

const ADDRESS = { eventBusName: 'default', source: 'openim' };
const repair = (friendUserID: string, remark = ''): RepairDraft => ({
  detailType: 'FriendshipReconciled',
  detail: {
    schemaVersion: 1,
    operationID: '',
    receivedAt: '2026-12-06T03:00:00.000Z',
    observedAt: '2026-12-06T03:00:00.000Z',
    idempotencyKey: `key-${friendUserID}`,
    ownerUserID: 'a',
    friendUserID,
    present: true,
    remark,
  },
});

/** A publisher that never waits (no pace, no backoff), recording what it set aside. */
const publisher = () => {
  const setAside: SetAsideRepair[] = [];
  const publish = createRepairPublisher(events, ADDRESS, {
    timeoutMs: 5_000,
    setAside: async (repairs) => {
      setAside.push(...repairs);
    },
    pace: async () => undefined,
    pause: async () => undefined,
  });
  return { publish, setAside };
};
const published = () => emulator.events.map((event) => (event.detail as { friendUserID: string }).friendUserID);

describe('the repair publisher', () => {
  it('sets aside a repair EventBridge can never take (1.1 MB) and publishes the rest of its chunk', async () => {
    const { publish, setAside } = publisher();
    const huge = repair('huge', 'x'.repeat(1_100_000));
    await expect(publish([repair('b'), huge, repair('c')])).resolves.toBeUndefined();
    expect(published().sort()).toEqual(['b', 'c']);
    expect(setAside).toEqual([{ repair: huge, reason: expect.stringMatching(/EventBridge takes at most 1000000/) }]);
  });

  it('sets aside an entry EventBridge refuses on its own (MalformedDetail), not its neighbours', async () => {
    const { publish, setAside } = publisher();
    emulator.injectFault('PutEvents', {
      failEntry: (entry) => String(entry.Detail).includes('"friendUserID":"bad"'),
      errorCode: 'MalformedDetail',
    });
    await publish([repair('b'), repair('bad'), repair('c')]);
    expect(published().sort()).toEqual(['b', 'c']);
    expect(setAside.map(({ repair: { detail } }) => detail.idempotencyKey)).toEqual(['key-bad']);
  });

  it('finds the one entry a whole request was refused for (ValidationException) and sets only it aside', async () => {
    // A bus that refuses any request holding "bad" as a whole, as EventBridge answers a request-level
    // ValidationException (the loopback endpoint has no such rule beyond the sizes checked beforehand).
    const calls: string[][] = [];
    const refusing = {
      send: async (command: { input: { Entries?: { Detail?: string }[] } }) => {
        const entries = command.input.Entries ?? [];
        calls.push(entries.map((entry) => JSON.parse(entry.Detail ?? '{}').friendUserID));
        if (entries.some((entry) => entry.Detail?.includes('"friendUserID":"bad"'))) {
          throw Object.assign(new Error('1 validation error detected'), {
            name: 'ValidationException',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return { FailedEntryCount: 0, Entries: entries.map((_, index) => ({ EventId: `e${index}` })) };
      },
    } as unknown as EventBridgeClient;
    const setAside: SetAsideRepair[] = [];
    const publish = createRepairPublisher(refusing, ADDRESS, {
      timeoutMs: 5_000,
      setAside: async (repairs) => {
        setAside.push(...repairs);
      },
      pace: async () => undefined,
      pause: async () => undefined,
    });
    await publish([repair('b'), repair('bad'), repair('c')]);
    expect(calls).toEqual([['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
    expect(setAside.map(({ repair: { detail } }) => detail.idempotencyKey)).toEqual(['key-bad']);
  });

  it('rejects on failures that may pass (the engine retries the part), setting nothing aside', async () => {
    const { publish, setAside } = publisher();
    emulator.injectFault('PutEvents', 'server-error', 3);
    await expect(publish([repair('b')])).rejects.toMatchObject({ name: 'RepairsNotPublished' });
    expect(setAside).toEqual([]);
  });

  it('rejects when IAM refuses the bus (AccessDenied): a deploy may still be propagating, nothing is set aside', async () => {
    const { publish, setAside } = publisher();
    emulator.injectFault('PutEvents', { failEntry: () => true, errorCode: 'AccessDeniedException' }, 3);
    await expect(publish([repair('b')])).rejects.toMatchObject({ name: 'RepairsNotPublished' });
    expect(setAside).toEqual([]);
  });
});

describe('setting a repair aside in the final dead-letter queue', () => {
  it('parks it whole when it fits SQS, with why, so the runbook can redrive it once fixed', async () => {
    await setAsideInQueue(
      createDeadLetterSender(sqs, deadLetterQueue),
      ADDRESS,
      () => new Date(0),
    )([{ repair: repair('bad'), reason: 'MalformedDetail: no' }]);
    const [message] = emulator.messages(deadLetterQueue);
    expect(fromParkedMessage(message?.body ?? '')).toMatchObject({
      entry: { Source: 'openim', DetailType: 'FriendshipReconciled' },
      reason: 'a repair EventBridge refused for good: MalformedDetail: no',
    });
  });

  it('sends what identifies it when the repair itself is too large for SQS', async () => {
    const huge = repair('huge', 'x'.repeat(1_100_000));
    await setAsideInQueue(
      createDeadLetterSender(sqs, deadLetterQueue),
      ADDRESS,
      () => new Date(0),
    )([{ repair: huge, reason: 'too large' }]);
    const [message] = emulator.messages(deadLetterQueue);
    expect(JSON.parse(message?.body ?? '')).toEqual({
      kind: 'openim-friend-events/set-aside-repair',
      version: 1,
      reason: 'a repair EventBridge refused for good: too large',
      setAsideAt: '1970-01-01T00:00:00.000Z',
      detailType: 'FriendshipReconciled',
      idempotencyKey: 'key-huge',
      ownerUserID: 'a',
      otherUserID: 'huge',
      detailBytes: expect.any(Number),
    });
  });
});

describe('the pace of repairs', () => {
  it('lets entries go at most eventsPerSecond a second: a batch waits for its share', async () => {
    let now = 0;
    const slept: number[] = [];
    const pace = eventPace(10, {
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    await pace(10); // the first ten go at once
    await pace(10); // the next ten a second later
    now += 300;
    await pace(5); // 700 ms more
    await pace(1); // half a second after the five
    expect(slept).toEqual([1_000, 700, 500]);
  });

  it('paces each PutEvents call of a chunk', async () => {
    const asked: number[] = [];
    const publish = createRepairPublisher(events, ADDRESS, {
      timeoutMs: 5_000,
      setAside: async () => undefined,
      pace: async (entries) => {
        asked.push(entries);
      },
      pause: async () => undefined,
    });
    await publish(Array.from({ length: 25 }, (_, index) => repair(`u${index}`)));
    expect(asked).toEqual([10, 10, 5]);
    expect(published()).toHaveLength(25);
  });
});
