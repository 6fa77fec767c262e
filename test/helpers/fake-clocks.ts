import type { Clock } from '../../functions/adapters/openim-api/ports';

const START = Date.parse('2026-12-01T10:00:00.000Z');

/** Sleepers in wake order. */
class Timers {
  private readonly timers: { wakeMs: number; resolve: () => void }[] = [];

  add(wakeMs: number): Promise<void> {
    return new Promise((resolve) => {
      const at = this.timers.findIndex((timer) => timer.wakeMs > wakeMs);
      this.timers.splice(at === -1 ? this.timers.length : at, 0, { wakeMs, resolve });
    });
  }

  get size(): number {
    return this.timers.length;
  }

  /** The earliest sleeper, if it wakes at or before `limitMs`. */
  takeDue(limitMs: number): { wakeMs: number; resolve: () => void } | undefined {
    const first = this.timers[0];
    return first !== undefined && first.wakeMs <= limitMs ? this.timers.shift() : undefined;
  }
}

/**
 * A clock whose time moves only when something sleeps: when nothing else is left to run, the
 * earliest sleeper wakes and time jumps to its wake time. Waiting then costs no wall-clock time
 * and pacing and backoff become exact numbers, even with a real socket in between.
 */
export class SteppingClock implements Clock {
  readonly sleeps: number[] = [];
  private readonly timers = new Timers();
  private ticking = false;

  constructor(private nowMs = START) {}

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    const woken = this.timers.add(this.nowMs + ms);
    this.tick();
    return woken;
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  // One sleeper per macrotask, so that whatever it starts runs before the next one wakes.
  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    setImmediate(() => {
      this.ticking = false;
      const due = this.timers.takeDue(Number.POSITIVE_INFINITY);
      if (!due) return;
      this.nowMs = Math.max(this.nowMs, due.wakeMs);
      due.resolve();
      if (this.timers.size > 0) this.tick();
    });
  }
}

/** A clock that stands still until the test moves it; sleepers wake in order as it passes them. */
export class ManualClock implements Clock {
  private readonly timers = new Timers();

  constructor(private nowMs = START) {}

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number): Promise<void> {
    return this.timers.add(this.nowMs + ms);
  }

  get sleeping(): number {
    return this.timers.size;
  }

  /** Moves time forward, waking each sleeper at its time and letting it run before the next. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    for (;;) {
      await flush();
      const due = this.timers.takeDue(target);
      if (!due) break;
      this.nowMs = due.wakeMs;
      due.resolve();
    }
    this.nowMs = target;
    await flush();
  }
}

/** Lets every pending promise callback run. */
export const flush = async (): Promise<void> => {
  for (let round = 0; round < 20; round++) await Promise.resolve();
};
