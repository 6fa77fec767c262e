import {
  type BoundedSetting,
  checkBounded,
  checkEventSource,
  checkReplyBudget,
  DEFAULTS,
  normalizePathPrefix,
  SettingError,
  toSourceAllowList,
} from '../contract/settings';

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
export const loadConfig = (env: Environment = process.env): CallbackConfig => {
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

const required = (env: Environment, name: string): string => {
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
