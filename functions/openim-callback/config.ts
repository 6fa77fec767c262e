import { DEFAULT_EVENT_SOURCE } from '../contract/events';

/** Everything the function reads from its environment, read once at load. */
export interface CallbackConfig {
  eventBusName: string;
  eventSource: string;
  /** URL path before the token: `/<pathPrefix>/<token>/<command>`. */
  pathPrefix: string;
  tokenSecretId: string;
  deadLetterQueueUrl: string;
  /** CIDRs allowed to call; empty means any source. */
  allowedSourceCidrs: string[];
  maxBodyBytes: number;
  /** Everything, publish retries and parking included, ends within this time after arrival. */
  replyBudgetMs: number;
  /** Part of the budget kept for parking in the dead-letter queue. */
  parkReserveMs: number;
  publishAttemptTimeoutMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  tokenRefreshMs: number;
}

export type Environment = Record<string, string | undefined>;

export const loadConfig = (env: Environment = process.env): CallbackConfig => ({
  eventBusName: required(env, 'EVENT_BUS_NAME'),
  eventSource: env.EVENT_SOURCE || DEFAULT_EVENT_SOURCE,
  pathPrefix: (env.CALLBACK_PATH_PREFIX ?? 'openim').replace(/^\/+|\/+$/g, ''),
  tokenSecretId: required(env, 'CALLBACK_TOKEN_SECRET_ID'),
  deadLetterQueueUrl: required(env, 'DEAD_LETTER_QUEUE_URL'),
  allowedSourceCidrs: (env.ALLOWED_SOURCE_CIDRS ?? '')
    .split(',')
    .map((cidr) => cidr.trim())
    .filter(Boolean),
  maxBodyBytes: positiveInt(env, 'MAX_BODY_BYTES', 2 * 1024 * 1024),
  replyBudgetMs: positiveInt(env, 'REPLY_BUDGET_MS', 2_500),
  parkReserveMs: positiveInt(env, 'PARK_RESERVE_MS', 600),
  publishAttemptTimeoutMs: positiveInt(env, 'PUBLISH_ATTEMPT_TIMEOUT_MS', 1_000),
  retryBaseDelayMs: positiveInt(env, 'RETRY_BASE_DELAY_MS', 50),
  retryMaxDelayMs: positiveInt(env, 'RETRY_MAX_DELAY_MS', 400),
  tokenRefreshMs: positiveInt(env, 'TOKEN_REFRESH_MS', 5 * 60_000),
});

const required = (env: Environment, name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};

const positiveInt = (env: Environment, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`environment variable ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
};
