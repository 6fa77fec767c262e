import type { Clock } from './ports';

/**
 * The pace of one adapter instance: at most `callsPerSecond` requests started per second, evenly
 * spaced (one every 1000 / callsPerSecond ms), and at most `maxConcurrentCalls` in flight. Every
 * request counts: logins, pages, retries. A 429's Retry-After holds every request not yet started.
 */
export class Pacer {
  private readonly intervalMs: number;
  private nextStartMs = Number.NEGATIVE_INFINITY;
  private pausedUntilMs = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: { callsPerSecond: number; maxConcurrentCalls: number; clock: Clock }) {
    if (!(options.callsPerSecond > 0) || !Number.isFinite(options.callsPerSecond)) {
      throw new RangeError(`callsPerSecond must be a number above 0, got ${options.callsPerSecond}`);
    }
    if (!Number.isSafeInteger(options.maxConcurrentCalls) || options.maxConcurrentCalls < 1) {
      throw new RangeError(
        `maxConcurrentCalls must be a whole number of at least 1, got ${options.maxConcurrentCalls}`,
      );
    }
    // A thousandth of a millisecond more than 1000/N: float rounding of epoch milliseconds (about
    // 0.0002 ms at today's values) can then never let N + 1 starts into one second.
    this.intervalMs = 1000 / options.callsPerSecond + 0.001;
  }

  /** Waits for a free place and for this request's turn; call the returned function when it has finished. */
  async acquire(): Promise<() => void> {
    await this.place();
    try {
      await this.turn();
    } catch (error) {
      this.release();
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release();
    };
  }

  /** No request starts before `untilMs` (epoch ms of the clock). */
  pauseUntil(untilMs: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs);
  }

  private async place(): Promise<void> {
    if (this.inFlight < this.options.maxConcurrentCalls) {
      this.inFlight++;
      return;
    }
    // The place is handed over by release(), so inFlight stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** Reserves the next start time, then sleeps until it; a pause that arrives meanwhile reserves again. */
  private async turn(): Promise<void> {
    const { clock } = this.options;
    for (;;) {
      const now = clock.now();
      const start = Math.max(now, this.nextStartMs, this.pausedUntilMs);
      this.nextStartMs = start + this.intervalMs;
      if (start > now) await clock.sleep(start - now);
      if (this.pausedUntilMs <= start) return;
    }
  }
}
