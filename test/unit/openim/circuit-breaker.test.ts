import { type BreakerState, CircuitBreaker } from '../../../functions/openim/circuit-breaker';

const breaker = (failureThreshold = 3, cooldownMs = 5_000) => {
  let now = 0;
  const changes: [BreakerState, BreakerState][] = [];
  const subject = new CircuitBreaker({
    failureThreshold,
    cooldownMs,
    clock: () => now,
    onStateChange: (from, to) => changes.push([from, to]),
  });
  return { subject, changes, advance: (ms: number) => (now += ms) };
};

const fail = (subject: CircuitBreaker, times: number) => {
  for (let index = 0; index < times; index += 1) {
    expect(subject.allowsAttempt()).toBe(true);
    subject.record(false);
  }
};

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the count of consecutive failures', () => {
    const { subject, changes } = breaker(3);
    fail(subject, 2);
    subject.allowsAttempt();
    subject.record(true);
    fail(subject, 2);
    expect(subject.state).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('opens after the threshold of consecutive failures and then skips every attempt', () => {
    const { subject, changes } = breaker(3);
    fail(subject, 3);
    expect(subject.state).toBe('open');
    expect([subject.allowsAttempt(), subject.allowsAttempt()]).toEqual([false, false]);
    expect(changes).toEqual([['closed', 'open']]);
  });

  it('lets exactly one call probe after the cool-down, and closes when the probe succeeds', () => {
    const { subject, changes, advance } = breaker(3, 5_000);
    fail(subject, 3);
    advance(4_999);
    expect(subject.allowsAttempt()).toBe(false);
    advance(1);
    expect(subject.allowsAttempt()).toBe(true);
    expect(subject.state).toBe('half-open');
    expect(subject.allowsAttempt()).toBe(false); // the probe is still under way
    subject.record(true);
    expect(subject.state).toBe('closed');
    expect(subject.allowsAttempt()).toBe(true);
    expect(changes).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  it('re-opens for a whole cool-down when the probe fails', () => {
    const { subject, changes, advance } = breaker(3, 5_000);
    fail(subject, 3);
    advance(5_000);
    expect(subject.allowsAttempt()).toBe(true);
    subject.record(false);
    expect(subject.state).toBe('open');
    advance(4_999);
    expect(subject.allowsAttempt()).toBe(false);
    advance(1);
    expect(subject.allowsAttempt()).toBe(true);
    expect(changes.map(([, to]) => to)).toEqual(['open', 'half-open', 'open', 'half-open']);
  });
});
