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

/**
 * How one HTTP request went (a retry or a login is a request of its own): `ok`, an OpenIM error
 * in a 200 reply (`api-error`, with `errCode`), `throttled` (429), another HTTP status
 * (`http-error`: a bare 500, a 404 for an unknown route), `timeout`, or `network-error`.
 */
export interface CallObservation {
  endpoint: string;
  outcome: 'ok' | 'api-error' | 'throttled' | 'http-error' | 'timeout' | 'network-error';
  errCode?: number;
  httpStatus?: number;
  /** 1 for the first request of a call, 2 for its first retry, ... */
  attempt: number;
  /** When the request was sent (the clock's epoch ms): what the pacing controls. */
  startedAtMs: number;
  durationMs: number;
}
