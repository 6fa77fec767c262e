import { fromParkedMessage } from '../../functions/adapters/aws/retry-queue';
import type { Fault } from '../../infra/local/aws-emulator';
import { LOCAL_BUS_NAME } from '../../infra/local/local-environment';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import {
  addFriendBody,
  captureOutput,
  httpApiEvent,
  invoke,
  operationIDsIn,
  TOKEN,
  UNHURRIED,
  useHarness,
} from '../helpers/harness';

/**
 * The zero-loss promise under fire: the real handler and SDK against a loopback EventBridge and
 * SQS that fail on purpose. Each scenario checks where the event ended (bus or retry queue), that
 * it was not lost, and that OpenIM can decode the reply. How long replies take is the
 * benchmark's business (`npm run bench`), never asserted here.
 */
const ctx = useHarness();
/** A hang is cut after 1 s (a short wait for these tests); parking keeps its unhurried budget. */
const CUTS_HANGS = { ...UNHURRIED, publishTimeoutMs: 1_000 };

const parked = () =>
  ctx.harness.emulator.messages(ctx.harness.queueUrl).map((message) => fromParkedMessage(message.body));
const putEventsCalls = () => ctx.harness.emulator.requests.filter((request) => request.operation === 'PutEvents');
const send = (operationID = 'op-fault') =>
  invoke(
    ctx.handler,
    httpApiEvent({ body: addFriendBody(), headers: { 'content-type': 'application/json', operationid: operationID } }),
  );

describe('when EventBridge fails', () => {
  it.each<[string, Fault, RegExp]>([
    ['answers 500', 'server-error', /InternalException/],
    ['throttles (400 ThrottlingException)', 'throttle', /ThrottlingException/],
    ['fails the entry (FailedEntryCount 1, InternalFailure)', 'failed-entries', /InternalFailure/],
    ['never answers', 'hang', /abort|timeout/i],
    ['resets the connection', 'reset', /socket hang up|ECONNRESET|reset/i],
  ])('makes one attempt when it %s, parks the event at once and replies 200', async (_label, fault, reason) => {
    ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? fault : undefined);
    const event = httpApiEvent({
      body: addFriendBody(),
      headers: { 'content-type': 'application/json', operationid: 'op-fault' },
    });
    const handler = fault === 'hang' ? await ctx.harness.handlerWith({}, CUTS_HANGS) : ctx.handler;
    const { response, body } = await invoke(handler, event);

    expect(response.statusCode).toBe(200);
    expect(decodeOpenImReply(body)).toMatchObject({ actionCode: 0, errCode: 0, nextCode: 0 });
    expect(putEventsCalls()).toHaveLength(1);
    expect(ctx.harness.emulator.events).toHaveLength(0);
    const [message, ...others] = parked();
    expect(others).toHaveLength(0);
    expect(message?.reason).toMatch(reason);
    expect(message?.entry).toMatchObject({
      Source: 'openim',
      DetailType: 'AfterAddFriend',
      Time: new Date(event.requestContext.timeEpoch),
    });
    expect(JSON.parse(String(message?.entry.Detail))).toMatchObject({
      operationID: 'op-fault',
      fromUserID: '3958741620',
    });
  });

  it('publishes what got in and parks only the failed entries of a partial failure', async () => {
    const ids = Array.from({ length: 20_000 }, (_, index) => `${1_000_000_000 + index}`);
    const body = JSON.stringify({
      callbackCommand: 'callbackAfterImportFriendsCommand',
      ownerUserID: '3958741620',
      friendUserIDs: ids,
    });
    ctx.harness.emulator.faultPolicy = (operation) =>
      operation === 'PutEvents' ? { failEntry: (entry) => String(entry.Detail).includes('"part":2,') } : undefined;
    const { response } = await invoke(
      ctx.handler,
      httpApiEvent({ path: `/openim/${TOKEN}/callbackAfterImportFriendsCommand`, body }),
    );
    expect(response.statusCode).toBe(200);
    const parkedParts = parked().map(({ entry }) => JSON.parse(String(entry.Detail)).part as number);
    const publishedParts = ctx.harness.emulator.events.map((event) => event.detail.part as number);
    expect(parkedParts).toEqual([2]);
    expect([...publishedParts, ...parkedParts].sort()).toEqual(
      Array.from({ length: publishedParts.length + 1 }, (_, index) => index + 1),
    );
  });

  it('parks a 100,000-ID import whole: every part fits an SQS message (the emulator enforces 1 MiB)', async () => {
    const ids = Array.from({ length: 100_000 }, (_, index) => `${6_100_000_000 + index}`);
    const body = JSON.stringify({
      callbackCommand: 'callbackAfterImportFriendsCommand',
      ownerUserID: '3958741620',
      friendUserIDs: ids,
    });
    ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    const { response } = await invoke(
      ctx.handler,
      httpApiEvent({ path: `/openim/${TOKEN}/callbackAfterImportFriendsCommand`, body }),
    );
    expect(response.statusCode).toBe(200);
    const parts = parked()
      .map(({ entry }) => JSON.parse(String(entry.Detail)) as { friendUserIDs: string[]; part: number })
      .sort((a, b) => a.part - b.part);
    expect(parts.flatMap((part) => part.friendUserIDs).join(',') === ids.join(',')).toBe(true);
    const largest = Math.max(
      ...ctx.harness.emulator.messages(ctx.harness.queueUrl).map((m) => Buffer.byteLength(m.body)),
    );
    expect(largest).toBeLessThanOrEqual(1_048_576);
  });

  it('parks the event when EventBridge is down entirely (connection refused)', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = 'http://127.0.0.1:9'; // nothing listens on the discard port
    try {
      const refused = await ctx.harness.handlerWith();
      const { response } = await invoke(refused, httpApiEvent({ body: addFriendBody() }));
      expect(response.statusCode).toBe(200);
      expect(parked()).toHaveLength(1);
      expect(parked()[0]?.reason).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      else process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = saved;
    }
  });

  it('opens the circuit after 3 failures: later callbacks are parked without an attempt', async () => {
    ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    for (let index = 0; index < 5; index += 1) {
      expect((await send(`op-${index}`)).response.statusCode).toBe(200);
    }
    expect(putEventsCalls()).toHaveLength(3);
    expect(parked()).toHaveLength(5);
    expect(
      parked()
        .slice(3)
        .map((message) => message.reason),
    ).toEqual([expect.stringMatching(/circuit open/), expect.stringMatching(/circuit open/)]);
  });
});

describe('when EventBridge and the retry queue both fail', () => {
  it.each<[string, Fault]>([
    ['500', 'server-error'],
    ['throttling', 'throttle'],
    ['no answer', 'hang'],
    ['a connection reset', 'reset'],
  ])('replies 503 / 25001 and logs the complete event (%s)', async (_label, fault) => {
    ctx.harness.emulator.faultPolicy = (operation) =>
      operation === 'PutEvents' || operation === 'SendMessage' ? fault : undefined;
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    // A short budget, which a hanging retry queue spends: at any speed, the outcome is the same 503.
    const logged = await ctx.harness.handlerWith({}, { ...UNHURRIED, publishTimeoutMs: 500, replyBudgetMs: 1_500 });
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const output = captureOutput();
    let result: Awaited<ReturnType<typeof invoke>>;
    try {
      result = await invoke(logged, httpApiEvent({ body: addFriendBody({ reqMsg: 'keep me' }) }));
    } finally {
      output.restore();
    }

    expect(result.response.statusCode).toBe(503);
    expect(decodeOpenImReply(result.body)).toMatchObject({ actionCode: 1, errCode: 25001, nextCode: 0 });
    const lost = output.json().find((line) => line.outcome === 'lost') as {
      entry: { eventBusName: string; source: string; detailType: string; detail: Record<string, unknown> };
    };
    expect(lost.entry).toMatchObject({ eventBusName: LOCAL_BUS_NAME, source: 'openim', detailType: 'AfterAddFriend' });
    expect(lost.entry.detail).toMatchObject({ reqMsg: 'keep me', fromUserID: '3958741620' });
  });
});

describe('a partial failure (FailedEntryCount 1) with the retry queue down', () => {
  it('replies 503 / 25001: the event was neither published nor parked', async () => {
    ctx.harness.emulator.faultPolicy = (operation) =>
      operation === 'PutEvents' ? 'failed-entries' : operation === 'SendMessage' ? 'server-error' : undefined;
    const { response, body } = await send();
    expect(response.statusCode).toBe(503);
    expect(decodeOpenImReply(body)).toMatchObject({ actionCode: 1, errCode: 25001, nextCode: 0 });
    expect(ctx.harness.emulator.events).toHaveLength(0);
  });
});

describe('200 concurrent callbacks with random faults', () => {
  it('accounts for every event exactly once in bus ∪ queue (duplicates only with the same idempotencyKey)', async () => {
    // A seeded generator: the same faults on every run, so a failure can be replayed.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const faults: Fault[] = ['server-error', 'throttle', 'failed-entries', 'reset', { delayMs: 40 }, 'hang'];
    // Events of operations ending in 0 or 5 never get in; the others meet a random fault a third of the time.
    // The emulator stores every event it lets through, whether or not the caller waited for the answer.
    const letThrough = new Set<string>();
    ctx.harness.emulator.faultPolicy = (operation, body) => {
      if (operation !== 'PutEvents') return undefined;
      const ids = operationIDsIn(body);
      if (ids.some((id) => /[05]$/.test(id))) return 'failed-entries';
      const fault = random() < 2 / 3 ? undefined : faults[Math.floor(random() * faults.length)];
      if (fault === undefined || typeof fault === 'object') for (const id of ids) letThrough.add(id);
      return fault;
    };
    // As Lambda runs them: 20 instances (each with its own breaker), one invocation at a time each.
    const operationIDs = Array.from({ length: 200 }, (_, index) => `op-${index}`);
    const instances = await Promise.all(Array.from({ length: 20 }, () => ctx.harness.handlerWith({}, CUTS_HANGS)));
    const results = (
      await Promise.all(
        instances.map(async (instance, slot) => {
          const replies = [];
          for (const id of operationIDs.filter((_, index) => index % instances.length === slot)) {
            const headers = { 'content-type': 'application/json', operationid: id };
            replies.push(await invoke(instance, httpApiEvent({ body: addFriendBody(), headers })));
          }
          return replies;
        }),
      )
    ).flat();

    for (const { response, body } of results) {
      expect(response.statusCode).toBe(200);
      expect(decodeOpenImReply(body).actionCode).toBe(0);
    }
    const onBus = ctx.harness.emulator.events.map(
      (event) => event.detail as { operationID: string; idempotencyKey: string },
    );
    const inQueue = parked().map(
      ({ entry }) => JSON.parse(String(entry.Detail)) as { operationID: string; idempotencyKey: string },
    );
    const all = [...onBus, ...inQueue];
    expect(new Set(all.map((detail) => detail.operationID))).toEqual(new Set(operationIDs));
    const keysByOperation = new Map<string, Set<string>>();
    for (const detail of all) {
      keysByOperation.set(
        detail.operationID,
        (keysByOperation.get(detail.operationID) ?? new Set()).add(detail.idempotencyKey),
      );
    }
    expect([...keysByOperation.values()].every((keys) => keys.size === 1)).toBe(true);
    // What must hold at any speed (a slow answer may add a parked copy, never lose the event):
    // what never got in is parked, and what the bus let through is on it.
    const neverIn = operationIDs.filter((id) => /[05]$/.test(id));
    expect(inQueue.map((detail) => detail.operationID)).toEqual(expect.arrayContaining(neverIn));
    expect(onBus.filter((detail) => /[05]$/.test(detail.operationID))).toEqual([]);
    expect(letThrough.size).toBeGreaterThan(0);
    expect(onBus.map((detail) => detail.operationID)).toEqual(expect.arrayContaining([...letThrough]));
  });
});
