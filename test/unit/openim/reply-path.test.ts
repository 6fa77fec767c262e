import { PARK_RESERVE_MS } from '../../../functions/contract/settings';
import { CircuitBreaker } from '../../../functions/openim/circuit-breaker';
import type { ParkEvents, PublishEvents, UnparkedEvent } from '../../../functions/openim/ports';
import { PublishFailedError } from '../../../functions/openim/reply';
import { acceptCallback, type CallbackInput } from '../../../functions/openim/reply-path';

/** Fakes on a fake clock: publishing and parking take the time the test says, and record what they got. */
const setup = (options: { publishMs?: number; publishFails?: boolean; parkFails?: boolean } = {}) => {
  let now = 1_000_000;
  const calls = { publish: [] as number[], park: [] as number[], lost: [] as UnparkedEvent[] };
  const publish: PublishEvents = async (events, timeoutMs) => {
    calls.publish.push(timeoutMs);
    now += Math.min(timeoutMs, options.publishMs ?? 20);
    return options.publishFails ? events.map((event) => ({ event, reason: 'InternalException' })) : [];
  };
  const park: ParkEvents = async (events, timeoutMs) => {
    calls.park.push(timeoutMs);
    now += 10;
    return options.parkFails ? events.map((event) => ({ ...event, parkError: 'SQS down' })) : [];
  };
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    cooldownMs: 5_000,
    clock: () => now,
    onStateChange: () => undefined,
  });
  const services = {
    publishTimeoutMs: 300,
    replyBudgetMs: 1_500,
    publish,
    park,
    breaker,
    clock: () => now,
    reportLost: (events: UnparkedEvent[]) => calls.lost.push(...events),
  };
  const input = (receivedAgoMs = 0): CallbackInput => ({
    body: { callbackCommand: 'callbackAfterAddFriendCommand', fromUserID: '1', toUserID: '2', reqMsg: '' },
    pathCommand: 'callbackAfterAddFriendCommand',
    queryCommand: undefined,
    operationID: 'op-1',
    receivedAt: new Date(now - receivedAgoMs),
    deliveryId: 'request-1',
  });
  return { services, input, calls, advance: (ms: number) => (now += ms) };
};

describe('acceptCallback (the reply path)', () => {
  it('publishes with one attempt bounded by the publish timeout, and parks nothing', async () => {
    const { services, input, calls } = setup();
    const outcome = await acceptCallback(input(), services);
    expect(outcome).toMatchObject({ events: 1, published: 1, parked: 0, attempt: 'made', publishLatencyMs: 20 });
    expect(calls).toEqual({ publish: [300], park: [], lost: [] });
  });

  it('parks at once, without a second attempt, when the one attempt fails', async () => {
    const { services, input, calls } = setup({ publishMs: 300, publishFails: true });
    const outcome = await acceptCallback(input(), services);
    expect(outcome).toMatchObject({ published: 0, parked: 1, attempt: 'made', parkReason: 'InternalException' });
    expect(calls.publish).toEqual([300]);
    expect(calls.park).toEqual([1_500 - 300]); // the rest of the budget
  });

  it('counts the budget from API Gateway’s receipt: a late start shortens the attempt', async () => {
    const { services, input, calls } = setup();
    await acceptCallback(input(1_500 - PARK_RESERVE_MS - 120), services);
    expect(calls.publish).toEqual([120]);
  });

  it('parks without an attempt when the budget is already spent (a long cold start)', async () => {
    const { services, input, calls } = setup();
    const outcome = await acceptCallback(input(1_400), services);
    expect(outcome).toMatchObject({ parked: 1, attempt: 'budget-spent' });
    expect(calls.publish).toEqual([]);
    expect(calls.park).toEqual([PARK_RESERVE_MS]); // never less than the minimum given to parking
  });

  it('parks without an attempt while the circuit is open, and probes after the cool-down', async () => {
    const { services, input, calls, advance } = setup({ publishFails: true });
    for (let index = 0; index < 3; index += 1) await acceptCallback(input(), services);
    expect(calls.publish).toHaveLength(3);
    const skipped = await acceptCallback(input(), services);
    expect(skipped).toMatchObject({ parked: 1, attempt: 'circuit-open', publishLatencyMs: 0 });
    expect(calls.publish).toHaveLength(3);
    advance(5_000);
    expect((await acceptCallback(input(), services)).attempt).toBe('made');
    expect(calls.publish).toHaveLength(4);
  });

  it('reports the events it could neither publish nor park, then refuses with 503 / 25001', async () => {
    const { services, input, calls } = setup({ publishFails: true, parkFails: true });
    await expect(acceptCallback(input(), services)).rejects.toThrow(PublishFailedError);
    expect(calls.lost).toEqual([
      expect.objectContaining({ reason: 'InternalException', parkError: 'SQS down', event: expect.any(Object) }),
    ]);
  });

  it('validates before it publishes: a bad body is refused and nothing is sent', async () => {
    const { services, calls } = setup();
    const input = { ...setup().input(), body: { callbackCommand: 'callbackAfterAddFriendCommand', fromUserID: 1 } };
    await expect(acceptCallback(input, services)).rejects.toMatchObject({ errCode: 20002 });
    expect(calls.publish).toEqual([]);
  });
});
