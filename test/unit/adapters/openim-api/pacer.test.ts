import { Pacer } from '../../../../functions/adapters/openim-api/pacer';
import { flush, ManualClock, SteppingClock } from '../../../helpers/fake-clocks';

describe('the pacer', () => {
  it('starts requests evenly spaced at callsPerSecond', async () => {
    const clock = new SteppingClock(0);
    const pacer = new Pacer({ callsPerSecond: 5, maxConcurrentCalls: 100, clock });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const release = await pacer.acquire();
        starts.push(clock.now());
        release();
      }),
    );
    expect(starts.map(Math.round)).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  it.each([7, 3, 200])('never starts more than %i requests in any second, at epoch-millisecond times', async (rate) => {
    const clock = new SteppingClock();
    const origin = clock.now();
    const pacer = new Pacer({ callsPerSecond: rate, maxConcurrentCalls: 3, clock });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 3 * rate + 5 }, async () => {
        const release = await pacer.acquire();
        starts.push(clock.now());
        await clock.sleep(10); // the request takes a while (3 in flight keep up with 200/s)
        release();
      }),
    );
    for (const start of starts) {
      expect(starts.filter((other) => other >= start && other < start + 1000).length).toBeLessThanOrEqual(rate);
    }
    // ... and holds the pace: the last start is where even spacing puts it.
    expect(Math.max(...starts) - origin).toBeCloseTo(((3 * rate + 4) * 1000) / rate, -1);
  });

  it('lets no more than maxConcurrentCalls requests be in flight, and hands a freed place on', async () => {
    const clock = new ManualClock(0);
    const pacer = new Pacer({ callsPerSecond: 1000, maxConcurrentCalls: 2, clock });
    const acquired: (() => void)[] = [];
    for (let i = 0; i < 4; i++) void pacer.acquire().then((release) => acquired.push(release));
    await clock.advance(100);
    expect(acquired).toHaveLength(2);
    acquired[0]?.();
    acquired[0]?.(); // releasing twice frees one place only
    await clock.advance(100);
    expect(acquired).toHaveLength(3);
    acquired[1]?.();
    await clock.advance(100);
    expect(acquired).toHaveLength(4);
  });

  it("holds every request not yet started until a pause ends (a 429's Retry-After)", async () => {
    const clock = new ManualClock(0);
    const pacer = new Pacer({ callsPerSecond: 10, maxConcurrentCalls: 10, clock });
    (await pacer.acquire())();
    const started: number[] = [];
    void pacer.acquire().then(() => started.push(clock.now())); // waits for its turn at 100 ms
    await flush();
    pacer.pauseUntil(2_000); // a 429 arrives meanwhile
    await clock.advance(1_999);
    expect(started).toEqual([]);
    await clock.advance(1);
    expect(started).toEqual([2_000]);
  });

  it('refuses settings that cannot pace', () => {
    const clock = new ManualClock(0);
    expect(() => new Pacer({ callsPerSecond: 0, maxConcurrentCalls: 1, clock })).toThrow(/callsPerSecond/);
    expect(() => new Pacer({ callsPerSecond: 1, maxConcurrentCalls: 0, clock })).toThrow(/maxConcurrentCalls/);
  });
});
