/**
 * What the OpenIM admin client needs from its caller, in its own terms: a clock (fake in tests),
 * an optional place to keep the admin token between invocations, and an observer of every call.
 */

/** Wall-clock milliseconds and a way to wait; the pacing and the retries read nothing else. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** An admin token and when it stops working (epoch ms, from OpenIM's `expireTimeSeconds`). */
export interface CachedToken {
  token: string;
  expiresAtMs: number;
}

/**
 * Keeps the admin token between invocations, so that a sweep split over many function runs logs
 * in once, not once per run (on OpenIM main a new login also starts the 5-minute countdown on the
 * admin ID's earlier tokens). Key it by API URL and admin user ID. Errors propagate to the read.
 */
export interface TokenCache {
  load(): Promise<CachedToken | undefined>;
  save(token: CachedToken): Promise<void>;
}
