import { pageSizeFor } from './plan';

/**
 * What the reconciler is set up with (read from the functions' environment by
 * `functions/handlers/wiring/environment.ts`), and the pace that follows from it.
 */
export interface ReconcilerConfig {
  openImApiUrl: string;
  adminUserID: string;
  adminSecretId: string;
  /** The reconciler's own secret that keeps the admin token between runs (written on login). */
  tokenSecretId: string;
  callsPerSecond: number;
  /** Repair events a second of the whole sweep. */
  eventsPerSecond: number;
  concurrency: number;
  maxHours: number;
  tableName: string;
}

/** A worker's part of the pace, and what follows from it. */
export interface WorkerPace {
  /** Calls per second of one worker: the sweep's pace shared by the workers running at once. */
  callsPerSecond: number;
  /** Users reconciled at once by one worker (about two calls each). */
  usersInFlight: number;
  /** Users per checkpoint: about ten seconds of work. */
  chunkSize: number;
}

/** How long a page should take at a worker's pace: a third of the worker's 15-minute limit. */
export const PAGE_SECONDS = 300;
/** A worker stops taking chunks this long before its time limit; the engine invokes it again. */
export const WORKER_RESERVE_MS = 120_000;

export const workerPace = (config: Pick<ReconcilerConfig, 'callsPerSecond' | 'concurrency'>): WorkerPace => {
  const callsPerSecond = config.callsPerSecond / config.concurrency;
  return {
    callsPerSecond,
    usersInFlight: Math.min(16, Math.max(1, Math.ceil(callsPerSecond / 10))),
    chunkSize: Math.min(25, Math.max(1, Math.floor(callsPerSecond * 5))),
  };
};

/** Repair events per second of one worker: the sweep's share, as with the calls. */
export const workerEventsPerSecond = (config: Pick<ReconcilerConfig, 'eventsPerSecond' | 'concurrency'>): number =>
  config.eventsPerSecond / config.concurrency;

export const pageSizeOf = (config: Pick<ReconcilerConfig, 'callsPerSecond' | 'concurrency'>): number =>
  pageSizeFor(config.callsPerSecond, config.concurrency, PAGE_SECONDS);
