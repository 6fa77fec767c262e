import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { DEFAULT_EVENT_SOURCE } from './events';

/**
 * Every setting of the product: its default and the rule it must follow. One definition,
 * used by the CDK construct (a bad value fails `cdk synth` with its name) and by the functions
 * at load (the same rules, so nothing that synth accepts can fail at run time).
 */
export const DEFAULTS = {
  stackName: 'OpenImFriendEvents',
  eventSource: DEFAULT_EVENT_SOURCE,
  pathPrefix: 'openim',
  maxBodyBytes: 2 * 1024 * 1024,
  publishTimeoutMs: 300,
  replyBudgetMs: 1_500,
  breakerFailureThreshold: 3,
  breakerCooldownMs: 5_000,
  tokenRefreshMs: 5 * 60_000,
  throttleRateLimit: 1_000,
  throttleBurstLimit: 2_000,
  archiveRetentionDays: 30,
  retryMaxReceiveCount: 20,
  drainerMaxConcurrency: 2,
  /** OpenIM admin user of the reconciler's own (share.yml): a shared one gets its token revoked on main. */
  openImAdminUserID: 'friendEventsReconciler',
  /** EventBridge Scheduler expression of the reconciliation sweep. */
  reconcileSchedule: 'rate(1 day)',
  /** OpenIM API calls per second of a whole sweep, logins and retries included. */
  reconcileCallsPerSecond: 50,
  /**
   * Repair events per second of a whole sweep. Callbacks share the account's PutEvents quota
   * (10,000 a second by default in us-east-1, 2,400 in us-east-2; per region): a first sweep into
   * an empty graph must never take it from them.
   */
  reconcileEventsPerSecond: 100,
  /** Pages of users swept at once (the Distributed Map's MaxConcurrency); they share the calls per second. */
  reconcileConcurrency: 4,
  /** Differences in one sweep that raise the drift alarm. */
  reconcileDriftAlarmThreshold: 1_000,
  /** A sweep's time limit (the state machine's), also how long a crashed sweep's lock holds. */
  reconcileMaxHours: 24,
} as const;

/** Time always kept for parking, out of the reply budget: a few SQS round trips. */
export const PARK_RESERVE_MS = 500;

/** Inclusive bounds of the numeric settings. */
export const BOUNDS = {
  // API Gateway passes at most 10 MB, Lambda takes 6 MB, and a body API Gateway base64-encodes grows by 4/3.
  maxBodyBytes: [1_024, 4 * 1024 * 1024],
  publishTimeoutMs: [50, 3_000],
  // OpenIM's default callback timeout is 5 s: the reply must come well before it.
  replyBudgetMs: [PARK_RESERVE_MS + 50, 4_500],
  breakerFailureThreshold: [1, 100],
  breakerCooldownMs: [500, 10 * 60_000],
  tokenRefreshMs: [1_000, 24 * 3_600_000],
  throttleRateLimit: [1, 100_000],
  throttleBurstLimit: [1, 100_000],
  archiveRetentionDays: [1, 3_650],
  // Lambda's SQS event source backs off by our visibility changes; 20 tries span about 4 hours.
  retryMaxReceiveCount: [2, 1_000],
  drainerMaxConcurrency: [2, 1_000],
  reservedConcurrency: [1, 10_000],
  memorySize: [128, 10_240],
  reconcileCallsPerSecond: [1, 5_000],
  reconcileEventsPerSecond: [1, 10_000],
  // Step Functions' Distributed Map runs at most 10,000 child executions at once.
  reconcileConcurrency: [1, 1_000],
  reconcileDriftAlarmThreshold: [1, 1_000_000_000],
  reconcileMaxHours: [1, 168],
} as const satisfies Record<string, readonly [number, number]>;

export type BoundedSetting = keyof typeof BOUNDS;

/** A setting with a value that would break the product; the message names it and what is accepted. */
export class SettingError extends Error {
  constructor(setting: string, accepted: string, value: unknown) {
    super(`${setting}: ${accepted}, got ${JSON.stringify(value)}`);
    this.name = 'SettingError';
  }
}

/** `given` is what the user wrote, for the message (a parsed "2.5s" would only show as NaN). */
export const checkBounded = (setting: BoundedSetting, value: number, given: unknown = value): number => {
  const [min, max] = BOUNDS[setting];
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SettingError(setting, `expected a whole number from ${min} to ${max}`, given);
  }
  return value;
};

/** The reply budget must leave room for the publish attempt and for parking. */
export const checkReplyBudget = (replyBudgetMs: number, publishTimeoutMs: number): void => {
  checkBounded('publishTimeoutMs', publishTimeoutMs);
  checkBounded('replyBudgetMs', replyBudgetMs);
  if (replyBudgetMs < publishTimeoutMs + PARK_RESERVE_MS) {
    throw new SettingError(
      'replyBudgetMs',
      `expected at least publishTimeoutMs (${publishTimeoutMs}) + ${PARK_RESERVE_MS} ms kept for parking`,
      replyBudgetMs,
    );
  }
};

/**
 * `openim` or `a/b`: URL-safe segments, no empty ones, none `.` or `..` (clients and API Gateway
 * resolve those away, so the callback URL would not reach the prefix); slashes around it are dropped.
 */
export const normalizePathPrefix = (prefix: string): string => {
  const normalized = prefix.replace(/^\/+|\/+$/g, '');
  const segments = normalized.split('/');
  if (!/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(normalized) || segments.some((s) => s === '.' || s === '..')) {
    throw new SettingError(
      'pathPrefix',
      'expected URL path segments of letters, digits and . _ ~ -, none of them "." or ".."',
      prefix,
    );
  }
  return normalized;
};

/** CloudFormation's rule for a stack name: a letter, then letters, digits or hyphens; at most 128. */
export const checkStackName = (name: string): string => {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new SettingError(
      'stackName',
      'expected a CloudFormation stack name: a letter, then letters, digits or hyphens, at most 128 characters',
      name,
    );
  }
  return name;
};

/** An AWS account ID: 12 digits (an ARN, `*` or a name would widen or break the bus policy). */
export const checkAccountIds = (accounts: readonly string[]): string[] => {
  for (const account of accounts) {
    if (!/^\d{12}$/.test(account)) {
      throw new SettingError('subscriberAccounts', 'expected 12-digit AWS account IDs, comma-separated', account);
    }
  }
  return [...accounts];
};

/** An AWS Organizations ID: `o-` and 10 to 32 lowercase letters or digits. */
export const checkOrganizationId = (organizationId: string): string => {
  if (!/^o-[a-z0-9]{10,32}$/.test(organizationId)) {
    throw new SettingError(
      'subscriberOrganizationId',
      'expected an AWS Organizations ID: "o-" and 10 to 32 lowercase letters or digits',
      organizationId,
    );
  }
  return organizationId;
};

/** EventBridge's rules for `source`, minus the `aws.` prefix that only AWS services may use. */
export const checkEventSource = (source: string): string => {
  if (source.length < 1 || source.length > 256 || source.startsWith('aws.') || !/^[\x21-\x7e]+$/.test(source)) {
    throw new SettingError(
      'eventSource',
      'expected 1 to 256 printable ASCII characters without spaces, not starting with "aws."',
      source,
    );
  }
  return source;
};

/** Who may call: checks a client address against the configured IPv4 and IPv6 ranges. */
export interface SourceAllowList {
  allows(address: string): boolean;
}

/** IPv4 clients seen through an IPv6 socket (`::ffff:203.0.113.7`): checked as the IPv4 client they are. */
const IPV4_MAPPED = new BlockList();
IPV4_MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

/**
 * Parses IPv4/IPv6 addresses or CIDRs; throws naming the bad entry. Each family is checked on its
 * own: Node's BlockList matches an IPv4 address against IPv6 ranges through its IPv4-mapped form,
 * so `::/0` would admit every IPv4 client. Here an IPv6 range admits IPv6 clients only, and an IPv4
 * client (also when it arrives as `::ffff:a.b.c.d`) needs an IPv4 range. A range inside the
 * IPv4-mapped block `::ffff:0:0/96` could then match no client: it is refused, write it as IPv4.
 */
export const toSourceAllowList = (cidrs: readonly string[]): SourceAllowList => {
  const ipv4 = new BlockList();
  const ipv6 = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix, ...extra] = cidr.split('/');
    const family = isIPv4(network) ? 'ipv4' : isIPv6(network) ? 'ipv6' : undefined;
    const maxPrefix = family === 'ipv4' ? 32 : 128;
    const bits = prefix === undefined ? maxPrefix : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (family === undefined || extra.length > 0 || !(bits >= 0 && bits <= maxPrefix)) {
      throw new SettingError(
        'allowedSourceCidrs',
        'expected IPv4 or IPv6 addresses or CIDRs (e.g. 203.0.113.0/24, 2001:db8::/32), comma-separated',
        cidr,
      );
    }
    if (family === 'ipv6' && bits >= 96 && IPV4_MAPPED.check(network, 'ipv6')) {
      throw new SettingError(
        'allowedSourceCidrs',
        'expected an IPv4 range written as IPv4 (e.g. 203.0.113.0/24), not as IPv4-mapped IPv6 (::ffff:...)',
        cidr,
      );
    }
    (family === 'ipv4' ? ipv4 : ipv6).addSubnet(network, bits, family);
  }
  return {
    allows: (address) => {
      if (isIPv4(address)) return ipv4.check(address, 'ipv4');
      if (!isIPv6(address)) return false;
      // An IPv4-only list maps a mapped address back to IPv4 by itself.
      return IPV4_MAPPED.check(address, 'ipv6') ? ipv4.check(address, 'ipv6') : ipv6.check(address, 'ipv6');
    },
  };
};

/** Each worker gets `reconcileCallsPerSecond / reconcileConcurrency` calls per second: at least one. */
export const checkReconcilePace = (callsPerSecond: number, concurrency: number): void => {
  checkBounded('reconcileCallsPerSecond', callsPerSecond);
  checkBounded('reconcileConcurrency', concurrency);
  if (concurrency > callsPerSecond) {
    throw new SettingError(
      'reconcileConcurrency',
      `expected at most reconcileCallsPerSecond (${callsPerSecond}): each worker needs at least 1 call per second`,
      concurrency,
    );
  }
};

/** Each worker puts `reconcileEventsPerSecond / reconcileConcurrency` repairs a second: at least one. */
export const checkReconcileEventPace = (eventsPerSecond: number, concurrency: number): void => {
  checkBounded('reconcileEventsPerSecond', eventsPerSecond);
  if (concurrency > eventsPerSecond) {
    throw new SettingError(
      'reconcileEventsPerSecond',
      `expected at least reconcileConcurrency (${concurrency}): each worker needs at least 1 repair event per second`,
      eventsPerSecond,
    );
  }
};

/**
 * OpenIM's API base URL: http(s), no query or fragment (routes are appended to it), and no
 * credentials: a user or password in it would sit in the functions' environment and the template,
 * and OpenIM authenticates with the admin token anyway. A refused URL is echoed without them.
 */
export const checkOpenImApiUrl = (url: string): string => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const credentials = parsed !== undefined && (parsed.username !== '' || parsed.password !== '');
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.search !== '' || parsed.hash !== '' || credentials) {
    throw new SettingError(
      'openImApiUrl',
      "expected the http(s) URL of OpenIM's API, such as http://openim.internal:10002 (no query, fragment or credentials)",
      withoutCredentials(url),
    );
  }
  return url.replace(/\/+$/, '');
};

/** The URL with anything between `//` and the host's `@` masked, for messages. */
const withoutCredentials = (url: string): string => url.replace(/^([^:/?#]+:\/\/)[^/?#]*@/, '$1***@');

/** An OpenIM user ID as OpenIM takes it in share.yml: 1 to 64 printable characters without spaces. */
export const checkOpenImAdminUserID = (userID: string): string => {
  if (!/^[\x21-\x7e]{1,64}$/.test(userID)) {
    throw new SettingError('openImAdminUserID', 'expected 1 to 64 printable ASCII characters without spaces', userID);
  }
  return userID;
};

/** EventBridge Scheduler's `rate(...)` or `cron(...)` (six fields); Scheduler checks the rest at deploy. */
export const checkReconcileSchedule = (expression: string): string => {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  const rateOk = rate !== null && Number(rate[1]) >= 1 && (Number(rate[1]) === 1) === !rate[2]?.endsWith('s');
  const cronOk = /^cron\(\S+( \S+){5}\)$/.test(expression);
  if (!rateOk && !cronOk) {
    throw new SettingError(
      'reconcileSchedule',
      'expected a Scheduler expression such as rate(1 day), rate(6 hours) or cron(0 3 * * ? *)',
      expression,
    );
  }
  return expression;
};
