import type { Clock } from './ports';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failed attempts that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one call may probe again. */
  cooldownMs: number;
  clock: Clock;
  onStateChange: (from: BreakerState, to: BreakerState) => void;
}

/**
 * A circuit breaker for one function instance. While EventBridge keeps failing, callbacks skip
 * the attempt and are parked at once, so OpenIM waits one SQS round trip instead of a timeout.
 * After `cooldownMs` one call probes; its success closes the circuit, its failure re-opens it.
 * Lambda runs one invocation per instance at a time, so plain fields are enough.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(private readonly options: BreakerOptions) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Whether this call may try EventBridge; in half-open state only one call at a time (the probe). */
  allowsAttempt(): boolean {
    if (this.current === 'open' && this.options.clock() - this.openedAt >= this.options.cooldownMs) {
      this.moveTo('half-open');
    }
    if (this.current === 'closed') return true;
    if (this.current === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  /** The outcome of an attempt that `allowsAttempt` let through. */
  record(succeeded: boolean): void {
    this.probing = false;
    if (succeeded) {
      this.failures = 0;
      if (this.current !== 'closed') this.moveTo('closed');
      return;
    }
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.options.clock();
      if (this.current !== 'open') this.moveTo('open');
    }
  }

  private moveTo(state: BreakerState): void {
    const from = this.current;
    this.current = state;
    this.options.onStateChange(from, state);
  }
}
