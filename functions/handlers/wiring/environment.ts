import {
  type BoundedSetting,
  checkBounded,
  checkEventSource,
  checkOpenImAdminUserID,
  checkOpenImApiUrl,
  checkReconcileEventPace,
  checkReconcilePace,
  checkReplyBudget,
  DEFAULTS,
  normalizePathPrefix,
  SettingError,
  toSourceAllowList,
} from '../../contract/settings';
import type { ReconcilerConfig } from '../../reconcile/pace';

/**
 * What every function reads from its environment, in one place: each handler calls its loader
 * once at load, and a missing or malformed variable fails at once, naming it.
 */

/** Everything the callback function reads from its environment, read once at load. */
export interface CallbackConfig {
  eventBusName: string;
  eventSource: string;
  /** URL path before the token: `/<pathPrefix>/<token>/<command>`. */
  pathPrefix: string;
  tokenSecretId: string;
  retryQueueUrl: string;
  /** CIDRs allowed to call; empty means any source. */
  allowedSourceCidrs: string[];
  maxBodyBytes: number;
  publishTimeoutMs: number;
  replyBudgetMs: number;
  breakerFailureThreshold: number;
  breakerCooldownMs: number;
  tokenRefreshMs: number;
}

export type Environment = Record<string, string | undefined>;

/** Reads and checks the environment with the rules `cdk synth` already applied; throws naming the variable. */
export const loadCallbackConfig = (env: Environment = process.env): CallbackConfig => {
  try {
    const allowedSourceCidrs = (env.ALLOWED_SOURCE_CIDRS ?? '')
      .split(',')
      .map((cidr) => cidr.trim())
      .filter(Boolean);
    toSourceAllowList(allowedSourceCidrs);
    const config: CallbackConfig = {
      eventBusName: required(env, 'EVENT_BUS_NAME'),
      eventSource: checkEventSource(env.EVENT_SOURCE || DEFAULTS.eventSource),
      pathPrefix: normalizePathPrefix(env.CALLBACK_PATH_PREFIX ?? DEFAULTS.pathPrefix),
      tokenSecretId: required(env, 'CALLBACK_TOKEN_SECRET_ID'),
      retryQueueUrl: required(env, 'RETRY_QUEUE_URL'),
      allowedSourceCidrs,
      maxBodyBytes: bounded(env, 'MAX_BODY_BYTES', 'maxBodyBytes'),
      publishTimeoutMs: bounded(env, 'PUBLISH_TIMEOUT_MS', 'publishTimeoutMs'),
      replyBudgetMs: bounded(env, 'REPLY_BUDGET_MS', 'replyBudgetMs'),
      breakerFailureThreshold: bounded(env, 'BREAKER_FAILURE_THRESHOLD', 'breakerFailureThreshold'),
      breakerCooldownMs: bounded(env, 'BREAKER_COOLDOWN_MS', 'breakerCooldownMs'),
      tokenRefreshMs: bounded(env, 'TOKEN_REFRESH_MS', 'tokenRefreshMs'),
    };
    checkReplyBudget(config.replyBudgetMs, config.publishTimeoutMs);
    return config;
  } catch (error) {
    if (error instanceof SettingError) throw new Error(`invalid function environment: ${error.message}`);
    throw error;
  }
};

export const required = (env: Environment, name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};

type DefaultedSetting = BoundedSetting & keyof typeof DEFAULTS;

const bounded = (env: Environment, name: string, setting: DefaultedSetting): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return DEFAULTS[setting];
  // Only plain digits: Number() would also take "1e3", " 12 " or "0x10".
  return checkBounded(setting, /^\d+$/.test(raw) ? Number(raw) : Number.NaN, raw);
};

const wholeNumber = (env: Environment, name: string, fallback: number): number => {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`environment variable ${name} must be a whole number, got "${text}"`);
  return Number(text);
};

/** The reconciler functions' environment, checked with the rules `cdk synth` applied. The admin
 * secret is never here: only the ID of the Secrets Manager secret that holds it. */
export const loadReconcilerConfig = (env: Environment = process.env): ReconcilerConfig => {
  const callsPerSecond = wholeNumber(env, 'RECONCILE_CALLS_PER_SECOND', DEFAULTS.reconcileCallsPerSecond);
  const concurrency = wholeNumber(env, 'RECONCILE_CONCURRENCY', DEFAULTS.reconcileConcurrency);
  checkReconcilePace(callsPerSecond, concurrency);
  const eventsPerSecond = wholeNumber(env, 'RECONCILE_EVENTS_PER_SECOND', DEFAULTS.reconcileEventsPerSecond);
  checkReconcileEventPace(eventsPerSecond, concurrency);
  return {
    openImApiUrl: checkOpenImApiUrl(required(env, 'OPENIM_API_URL')),
    adminUserID: checkOpenImAdminUserID(env.OPENIM_ADMIN_USER_ID || DEFAULTS.openImAdminUserID),
    adminSecretId: required(env, 'OPENIM_ADMIN_SECRET_ID'),
    tokenSecretId: required(env, 'OPENIM_TOKEN_SECRET_ID'),
    callsPerSecond,
    eventsPerSecond,
    concurrency,
    maxHours: checkBounded('reconcileMaxHours', wholeNumber(env, 'RECONCILE_MAX_HOURS', DEFAULTS.reconcileMaxHours)),
    tableName: required(env, 'RECONCILER_TABLE_NAME'),
  };
};

/** The worker's extra environment: where the graph is, where repairs go, and where those that cannot go are set aside. */
export const loadWorkerTargets = (env: Environment = process.env) => ({
  graphTableName: required(env, 'FRIEND_GRAPH_TABLE_NAME'),
  eventBusName: required(env, 'EVENT_BUS_NAME'),
  /** The retry path's final dead-letter queue: where a repair EventBridge refuses for good is set aside. */
  deadLetterQueueUrl: required(env, 'DEAD_LETTER_QUEUE_URL'),
  eventSource: env.EVENT_SOURCE || DEFAULTS.eventSource,
});

/**
 * How long the background functions (the retry drainer, the reconciler's worker) give one
 * EventBridge or SQS call: generous, since nobody waits on them, and a slow but working bus
 * should still count as working.
 */
export const BACKGROUND_PUBLISH_TIMEOUT_MS = 5_000;

/** The retry drainer's queues. */
export const loadDrainerConfig = (env: Environment = process.env) => ({
  retryQueueUrl: required(env, 'RETRY_QUEUE_URL'),
  deadLetterQueueUrl: required(env, 'DEAD_LETTER_QUEUE_URL'),
});

/** The friend graph subscriber's table, and whether it applies test traffic. */
export const loadFriendGraphConfig = (env: Environment = process.env) => ({
  tableName: required(env, 'FRIEND_GRAPH_TABLE_NAME'),
  includeSynthetic: env.FRIEND_GRAPH_INCLUDE_SYNTHETIC === 'true',
});

/** Where the finish step publishes a snapshot's `FriendSnapshotCompleted` (read when a snapshot ends). */
export const loadCompletionTarget = (env: Environment = process.env) => ({
  eventBusName: required(env, 'EVENT_BUS_NAME'),
  source: env.EVENT_SOURCE || DEFAULTS.eventSource,
});
