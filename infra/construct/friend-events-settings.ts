import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  type BoundedSetting,
  checkAccountIds,
  checkBounded,
  checkEventSource,
  checkOrganizationId,
  checkReplyBudget,
  DEFAULTS,
  normalizePathPrefix,
  SettingError,
  toSourceAllowList,
} from '../../functions/contract/settings';
import type { SubscriberAccess } from './bus-access';
import type { FriendEventsProps } from './friend-events-props';

/** Every setting of `FriendEvents` with its default applied, checked by the rules the functions apply at load. */
export interface FriendEventsSettings {
  eventSource: string;
  pathPrefix: string;
  allowedSourceCidrs: string[];
  maxBodyBytes: number;
  publishTimeoutMs: number;
  replyBudgetMs: number;
  breakerFailureThreshold: number;
  breakerCooldownMs: number;
  throttle: { rateLimit: number; burstLimit: number };
  archiveRetentionDays: number;
  memorySize: number;
  retryMaxReceiveCount: number;
  drainerMaxConcurrency: number;
  reservedConcurrency: number | undefined;
  alarmEmail: string | undefined;
  sourceMaps: boolean;
  dataRemovalPolicy: RemovalPolicy;
  subscriberAccess: SubscriberAccess;
}

/** The callback function's memory when none is given. */
const DEFAULT_MEMORY_SIZE = 512;

/**
 * Applies the defaults and checks every setting, so that a value that would crash or cripple
 * the functions at run time fails `cdk synth` instead, with the setting's name and what it accepts.
 */
export const resolveSettings = (props: FriendEventsProps): FriendEventsSettings => {
  try {
    const allowedSourceCidrs = [...(props.allowedSourceCidrs ?? [])];
    toSourceAllowList(allowedSourceCidrs);
    const publishTimeoutMs = millis('publishTimeoutMs', props.publishTimeout, DEFAULTS.publishTimeoutMs);
    const replyBudgetMs = millis('replyBudgetMs', props.replyBudget, DEFAULTS.replyBudgetMs);
    checkReplyBudget(replyBudgetMs, publishTimeoutMs);
    return {
      eventSource: checkEventSource(props.eventSource ?? DEFAULTS.eventSource),
      pathPrefix: normalizePathPrefix(props.pathPrefix ?? DEFAULTS.pathPrefix),
      allowedSourceCidrs,
      maxBodyBytes: checkBounded('maxBodyBytes', props.maxBodyBytes ?? DEFAULTS.maxBodyBytes),
      publishTimeoutMs,
      replyBudgetMs,
      breakerFailureThreshold: checkBounded(
        'breakerFailureThreshold',
        props.circuitBreaker?.failureThreshold ?? DEFAULTS.breakerFailureThreshold,
      ),
      breakerCooldownMs: millis('breakerCooldownMs', props.circuitBreaker?.cooldown, DEFAULTS.breakerCooldownMs),
      throttle: {
        rateLimit: checkBounded('throttleRateLimit', props.throttle?.rateLimit ?? DEFAULTS.throttleRateLimit),
        burstLimit: checkBounded('throttleBurstLimit', props.throttle?.burstLimit ?? DEFAULTS.throttleBurstLimit),
      },
      archiveRetentionDays: checkBounded(
        'archiveRetentionDays',
        props.archiveRetention?.toDays({ integral: false }) ?? DEFAULTS.archiveRetentionDays,
      ),
      memorySize: checkBounded('memorySize', props.memorySize ?? DEFAULT_MEMORY_SIZE),
      retryMaxReceiveCount: checkBounded(
        'retryMaxReceiveCount',
        props.retryMaxReceiveCount ?? DEFAULTS.retryMaxReceiveCount,
      ),
      drainerMaxConcurrency: checkBounded(
        'drainerMaxConcurrency',
        props.drainerMaxConcurrency ?? DEFAULTS.drainerMaxConcurrency,
      ),
      reservedConcurrency:
        props.reservedConcurrency === undefined
          ? undefined
          : checkBounded('reservedConcurrency', props.reservedConcurrency),
      alarmEmail: props.alarmEmail === undefined ? undefined : checkEmail(props.alarmEmail),
      sourceMaps: props.sourceMaps ?? false,
      dataRemovalPolicy: checkDataRemovalPolicy(props.dataRemovalPolicy ?? RemovalPolicy.RETAIN),
      subscriberAccess: {
        accounts: checkAccountIds(props.subscriberAccess?.accounts ?? []),
        ...(props.subscriberAccess?.organizationId === undefined
          ? {}
          : { organizationId: checkOrganizationId(props.subscriberAccess.organizationId) }),
      },
    };
  } catch (error) {
    if (error instanceof SettingError)
      throw new Error(`invalid FriendEvents setting ${error.message}`, { cause: error });
    throw error;
  }
};

/** A duration as whole milliseconds; `integral: false` lets a fractional value reach the bounds check. */
const millis = (setting: BoundedSetting, value: Duration | undefined, defaultMs: number): number =>
  checkBounded(setting, value?.toMilliseconds({ integral: false }) ?? defaultMs);

/** Queues and archives have no snapshot: keep or delete, nothing else. */
const checkDataRemovalPolicy = (policy: RemovalPolicy): RemovalPolicy => {
  if (policy !== RemovalPolicy.RETAIN && policy !== RemovalPolicy.DESTROY) {
    throw new SettingError('dataRemovalPolicy', 'expected RemovalPolicy.RETAIN or RemovalPolicy.DESTROY', policy);
  }
  return policy;
};

/** Plausible, not proven: SNS sends a confirmation mail, which is the real check. */
const checkEmail = (address: string): string => {
  if (!/^[^\s@,;]+@[^\s@,;]+\.[^\s@,;.]+$/.test(address)) {
    throw new SettingError('alarmEmail', 'expected one email address such as ops@example.com', address);
  }
  return address;
};
