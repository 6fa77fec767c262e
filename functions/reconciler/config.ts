import {
  checkBounded,
  checkOpenImAdminUserID,
  checkOpenImApiUrl,
  checkReconcileEventPace,
  checkReconcilePace,
  DEFAULTS,
} from '../contract/settings';
import { pageSizeFor } from './plan';

/**
 * The reconciler functions' environment, read once at load and checked with the rules `cdk synth`
 * applied (a hand-edited variable fails at once, naming it). The admin secret is never here:
 * only the ID of the Secrets Manager secret that holds it.
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

const required = (env: NodeJS.ProcessEnv, name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};

const integer = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`environment variable ${name} must be a whole number, got "${text}"`);
  return Number(text);
};

export const loadReconcilerConfig = (env: NodeJS.ProcessEnv = process.env): ReconcilerConfig => {
  const callsPerSecond = integer(env, 'RECONCILE_CALLS_PER_SECOND', DEFAULTS.reconcileCallsPerSecond);
  const concurrency = integer(env, 'RECONCILE_CONCURRENCY', DEFAULTS.reconcileConcurrency);
  checkReconcilePace(callsPerSecond, concurrency);
  const eventsPerSecond = integer(env, 'RECONCILE_EVENTS_PER_SECOND', DEFAULTS.reconcileEventsPerSecond);
  checkReconcileEventPace(eventsPerSecond, concurrency);
  return {
    openImApiUrl: checkOpenImApiUrl(required(env, 'OPENIM_API_URL')),
    adminUserID: checkOpenImAdminUserID(env.OPENIM_ADMIN_USER_ID || DEFAULTS.openImAdminUserID),
    adminSecretId: required(env, 'OPENIM_ADMIN_SECRET_ID'),
    tokenSecretId: required(env, 'OPENIM_TOKEN_SECRET_ID'),
    callsPerSecond,
    eventsPerSecond,
    concurrency,
    maxHours: checkBounded('reconcileMaxHours', integer(env, 'RECONCILE_MAX_HOURS', DEFAULTS.reconcileMaxHours)),
    tableName: required(env, 'RECONCILER_TABLE_NAME'),
  };
};

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

/** The worker's extra environment: where the graph is, where repairs go, and where those that cannot go are set aside. */
export const loadWorkerTargets = (env: NodeJS.ProcessEnv = process.env) => ({
  graphTableName: required(env, 'FRIEND_GRAPH_TABLE_NAME'),
  eventBusName: required(env, 'EVENT_BUS_NAME'),
  /** The retry path's final dead-letter queue: where a repair EventBridge refuses for good is set aside. */
  deadLetterQueueUrl: required(env, 'DEAD_LETTER_QUEUE_URL'),
  eventSource: env.EVENT_SOURCE || DEFAULTS.eventSource,
});
