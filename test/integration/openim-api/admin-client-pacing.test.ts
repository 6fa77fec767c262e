import { systemClock } from '../../../functions/adapters/openim-api/ports';
import { type OpenImStandIn, startOpenImStandIn } from '../../../infra/local/openim-api/stand-in';
import { SteppingClock } from '../../helpers/fake-clocks';
import { directoryFor, SMALL_SEED, wholeBlacks } from '../../helpers/openim-stand-in';

/** The pace (calls per second, calls in flight), 429 with Retry-After, timeouts and network errors. */
const standIns: OpenImStandIn[] = [];
const start = async (options: Parameters<typeof startOpenImStandIn>[0] = {}) => {
  const standIn = await startOpenImStandIn({ seed: SMALL_SEED, ...options });
  standIns.push(standIn);
  return standIn;
};
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

describe('pacing', () => {
  it('starts at most callsPerSecond requests a second, logins and retries included', async () => {
    const standIn = await start();
    const clock = new SteppingClock();
    const { directory, calls } = directoryFor(standIn, { callsPerSecond: 4, maxConcurrentCalls: 8, clock });
    standIn.faults.next('/friend/get_black_list', { status: 500 }, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd'].map((user) => wholeBlacks(directory, user)));
    expect(calls).toHaveLength(11); // a login, 8 reads, 2 retries
    const starts = calls.map((call) => call.startedAtMs).sort((x, y) => x - y);
    for (const start of starts)
      expect(starts.filter((s) => s >= start && s < start + 1000).length).toBeLessThanOrEqual(4);
    expect((starts.at(-1) ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(10 * 250); // 11 starts, 250 ms apart at least
  });

  it('keeps at most maxConcurrentCalls requests in flight', async () => {
    const standIn = await start();
    const { directory } = directoryFor(standIn, { callsPerSecond: 1_000, maxConcurrentCalls: 3 });
    await wholeBlacks(directory, 'a'); // logged in
    standIn.faults.next('/friend/get_black_list', { delayMs: 30 }, 12);
    standIn.load.maxInFlight = 0;
    await Promise.all(Array.from({ length: 12 }, () => wholeBlacks(directory, 'a')));
    expect(standIn.load.maxInFlight).toBe(3);
  });
});

describe('a 429', () => {
  it('holds every request for its Retry-After (seconds), then the call goes on', async () => {
    const clock = new SteppingClock();
    const standIn = await start({
      serverVersion: 'main',
      clock,
      rateLimit: { callsPerSecond: 2, retryAfterSeconds: 3 },
    });
    const { directory, trail, calls } = directoryFor(standIn, { callsPerSecond: 100, clock });
    await expect(wholeBlacks(directory, 'a')).resolves.toEqual(['d']); // the login and this read: 2 in this second
    const before = clock.now();
    await expect(wholeBlacks(directory, 'b')).resolves.toEqual([]);
    expect(trail().slice(2)).toEqual(['/friend/get_black_list throttled 429', '/friend/get_black_list']);
    expect((calls.at(-1)?.startedAtMs ?? 0) - before).toBeGreaterThanOrEqual(3_000);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const standIn = await start();
    const clock = new SteppingClock(Date.parse('2026-12-01T10:00:00.000Z'));
    const { directory, calls } = directoryFor(standIn, { clock });
    await wholeBlacks(directory, 'a');
    standIn.faults.next('/friend/get_black_list', { status: 429, retryAfter: 'Tue, 01 Dec 2026 10:00:20 GMT' });
    await wholeBlacks(directory, 'a');
    expect(calls.at(-1)?.startedAtMs).toBeGreaterThanOrEqual(Date.parse('2026-12-01T10:00:20.000Z'));
  });

  it('asking for longer than maxRetryAfterMs fails the call as retryable, at once', async () => {
    const standIn = await start();
    const { directory, stepping } = directoryFor(standIn, { maxRetryAfterMs: 10_000 });
    standIn.faults.next('/friend/get_black_list', { status: 429, retryAfter: '3600' });
    await expect(wholeBlacks(directory, 'a')).rejects.toMatchObject({
      message: 'OpenIM /friend/get_black_list: HTTP 429 too many requests (Retry-After 3600)',
      details: { httpStatus: 429, retryable: true },
    });
    expect(stepping.sleeps.filter((ms) => ms > 1_000)).toEqual([]);
  });
});

describe('every request has a timeout', () => {
  it('a reply later than callTimeoutMs fails the request; the retry gets the answer', async () => {
    const standIn = await start();
    // Real time, with room for a busy machine: a loopback answer well within 1 s, the delayed one far past it.
    const { directory, trail } = directoryFor(standIn, { callTimeoutMs: 1_000, clock: systemClock });
    await wholeBlacks(directory, 'a');
    const before = trail().length;
    standIn.faults.next('/friend/get_black_list', { delayMs: 5_000 });
    await expect(wholeBlacks(directory, 'a')).resolves.toEqual(['d']);
    expect(trail().slice(before)).toEqual(['/friend/get_black_list timeout', '/friend/get_black_list']);
  });

  it('no reply within the attempts fails the read as retryable, naming the limit', async () => {
    const standIn = await start();
    const { directory } = directoryFor(standIn, { callTimeoutMs: 1_000, maxAttempts: 2 });
    await wholeBlacks(directory, 'a');
    standIn.faults.next('/friend/get_black_list', { delayMs: 5_000 }, 2);
    await expect(wholeBlacks(directory, 'a')).rejects.toMatchObject({
      message: 'OpenIM /friend/get_black_list: no reply within 1000 ms',
      details: { endpoint: '/friend/get_black_list', retryable: true },
    });
  });
});

it('a server that is not there is a network error, retried, then a retryable failure', async () => {
  const standIn = await start();
  await standIn.close();
  const { directory, trail } = directoryFor(standIn, { maxAttempts: 3 });
  await expect(wholeBlacks(directory, 'a')).rejects.toMatchObject({
    message: expect.stringMatching(/^OpenIM \/auth\/get_admin_token: fetch failed: .*ECONNREFUSED/),
    details: { endpoint: '/auth/get_admin_token', retryable: true },
  });
  expect(trail()).toEqual(Array(3).fill('/auth/get_admin_token network-error'));
});
