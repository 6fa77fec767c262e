import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  type BoundedSetting,
  checkBounded,
  checkStackName,
  DEFAULTS,
  SettingError,
} from '../../functions/contract/settings';
import type { FriendEventsProps } from './friend-events-props';
import { resolveSettings } from './friend-events-settings';
import { RECONCILER_CONTEXT_KEYS, type ReconcilerContext, reconcilerContext } from './reconciler-settings';
import type { FriendEventsStackProps } from './stack';

/** A context value that is not a number or a boolean at all, or a context key the app does not read. */
export class ContextError extends Error {
  override name = 'ContextError';
}

/**
 * Reads the `FriendEvents` props from CDK context (`-c maxBodyBytes=1048576`, or cdk.json).
 * Values are parsed, never rounded or guessed: `1.5` stays 1.5 and fails the construct's
 * checks with the setting's name; what is not a number or a boolean at all fails here.
 */
export const friendEventsPropsFromContext = (scope: Construct): FriendEventsProps => {
  const text = (key: string) => contextText(scope, key);
  const number = (key: string) => contextNumber(scope, key);
  // A Duration cannot hold a negative amount: check the bounds before making one.
  const milliseconds = (key: BoundedSetting) => {
    const value = number(key);
    return value === undefined ? undefined : Duration.millis(checkContextBounds(key, value));
  };
  const list = (key: string) =>
    text(key)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  const rateLimit = number('throttleRateLimit');
  const burstLimit = number('throttleBurstLimit');
  const breakerFailureThreshold = number('breakerFailureThreshold');
  const breakerCooldown = milliseconds('breakerCooldownMs');
  const archiveRetentionDays = number('archiveRetentionDays');
  const subscriberAccounts = list('subscriberAccounts');
  const subscriberOrganizationId = text('subscriberOrganizationId');
  const props: FriendEventsProps = {
    eventSource: text('eventSource'),
    pathPrefix: text('pathPrefix'),
    alarmEmail: text('alarmEmail'),
    tracing: contextFlag(scope, 'tracing'),
    sourceMaps: contextFlag(scope, 'sourceMaps'),
    maxBodyBytes: number('maxBodyBytes'),
    memorySize: number('memorySize'),
    allowedSourceCidrs: list('allowedSourceCidrs'),
    subscriberAccess:
      subscriberAccounts || subscriberOrganizationId
        ? { accounts: subscriberAccounts ?? [], organizationId: subscriberOrganizationId }
        : undefined,
    throttle:
      rateLimit === undefined && burstLimit === undefined
        ? undefined
        : {
            rateLimit: rateLimit ?? DEFAULTS.throttleRateLimit,
            burstLimit: burstLimit ?? DEFAULTS.throttleBurstLimit,
          },
    publishTimeout: milliseconds('publishTimeoutMs'),
    replyBudget: milliseconds('replyBudgetMs'),
    circuitBreaker:
      breakerFailureThreshold === undefined && breakerCooldown === undefined
        ? undefined
        : { failureThreshold: breakerFailureThreshold, cooldown: breakerCooldown },
    retryMaxReceiveCount: number('retryMaxReceiveCount'),
    drainerMaxConcurrency: number('drainerMaxConcurrency'),
    reservedConcurrency: number('reservedConcurrency'),
    dataRemovalPolicy: contextRemovalPolicy(scope),
    archiveRetention:
      archiveRetentionDays === undefined
        ? undefined
        : Duration.days(checkContextBounds('archiveRetentionDays', archiveRetentionDays)),
  };
  return withoutUndefined(props);
};

/** A boolean context value (`-c tracing=true`, or `true` in cdk.json); anything else but true/false fails. */
export const contextFlag = (scope: Construct, key: string): boolean | undefined => {
  const value = contextText(scope, key);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') {
    throw new ContextError(`context ${key}: expected true or false, got "${value}"`);
  }
  return value === 'true';
};

const contextText = (scope: Construct, key: string): string | undefined => {
  const value: unknown = scope.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value).trim();
};

/** `-c dataRemovalPolicy=retain|destroy`. */
const contextRemovalPolicy = (scope: Construct): RemovalPolicy | undefined => {
  const value = contextText(scope, 'dataRemovalPolicy');
  if (value === undefined) return undefined;
  if (value !== 'retain' && value !== 'destroy') {
    throw new ContextError(`context dataRemovalPolicy: expected retain or destroy, got "${value}"`);
  }
  return value === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
};

/** A decimal number as written; `Number()` alone would also take "", "0x10", "1e3" or "Infinity". */
const contextNumber = (scope: Construct, key: string): number | undefined => {
  const value = contextText(scope, key);
  if (value === undefined) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw new ContextError(`context ${key}: expected a number, got "${value}"`);
  return Number(value);
};

const checkContextBounds = (key: BoundedSetting, value: number): number => {
  try {
    return checkBounded(key, value);
  } catch (error) {
    if (error instanceof SettingError) throw new Error(`invalid context ${error.message}`, { cause: error });
    throw error;
  }
};

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;

/** `-c stackName=`: the stack to deploy, by CloudFormation's naming rule (default `OpenImFriendEvents`). */
export const stackNameFromContext = (scope: Construct): string => {
  const name = contextText(scope, 'stackName') ?? DEFAULTS.stackName;
  try {
    return checkStackName(name);
  } catch (error) {
    if (error instanceof SettingError) throw new Error(`invalid context ${error.message}`, { cause: error });
    throw error;
  }
};

/** `-c alarmTopic=`: an existing SNS topic's ARN (the stack imports it; the construct takes a topic). */
export const alarmTopicArnFromContext = (scope: Construct): string | undefined => {
  const arn = contextText(scope, 'alarmTopic');
  if (arn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(arn)) {
    throw new SettingError('alarmTopic', 'expected an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)', arn);
  }
  return arn;
};

/** `-c openImApiUrl=...` and the other reconciler keys; undefined when reconciliation is off. */
export const reconcilerContextFrom = (scope: Construct): ReconcilerContext | undefined => {
  try {
    return reconcilerContext({ text: (key) => contextText(scope, key), number: (key) => contextNumber(scope, key) });
  } catch (error) {
    if (error instanceof SettingError) throw new Error(`invalid context ${error.message}`, { cause: error });
    throw error;
  }
};

/** Every context key the app reads, so that a misspelt one fails synth instead of deploying a default. */
export const CONTEXT_KEYS = [
  'stackName',
  'exampleSubscriber',
  'alarmEmail',
  'alarmTopic',
  'eventSource',
  'pathPrefix',
  'tracing',
  'sourceMaps',
  'maxBodyBytes',
  'memorySize',
  'allowedSourceCidrs',
  'subscriberAccounts',
  'subscriberOrganizationId',
  'throttleRateLimit',
  'throttleBurstLimit',
  'publishTimeoutMs',
  'replyBudgetMs',
  'breakerFailureThreshold',
  'breakerCooldownMs',
  'retryMaxReceiveCount',
  'drainerMaxConcurrency',
  'reservedConcurrency',
  'archiveRetentionDays',
  'dataRemovalPolicy',
  ...RECONCILER_CONTEXT_KEYS,
] as const;

/** Fails on a context key the app does not read; the CDK's own keys (`@aws-cdk/...`, `aws:cdk:...`) pass. */
export const checkContextKeys = (scope: Construct): void => {
  const known = new Set<string>(CONTEXT_KEYS);
  const unknown = Object.keys(scope.node.getAllContext()).filter(
    (key) => !key.startsWith('@') && !key.includes(':') && !known.has(key),
  );
  if (unknown.length > 0) {
    throw new ContextError(
      `unknown context key ${unknown.map((key) => `"${key}"`).join(', ')}: the settings are ${CONTEXT_KEYS.join(', ')}`,
    );
  }
};

/**
 * Everything `infra/app.ts` reads from CDK context, checked before any construct is built (the
 * construct checks its props again). Throws a `ContextError` or a `SettingError` naming the key.
 */
export const stackSettingsFromContext = (scope: Construct): { stackName: string; props: FriendEventsStackProps } => {
  checkContextKeys(scope);
  const friendEvents = friendEventsPropsFromContext(scope);
  resolveSettings(friendEvents);
  return {
    stackName: stackNameFromContext(scope),
    props: {
      description: 'OpenIM friend callbacks to Amazon EventBridge (openim-friend-events)',
      friendEvents,
      exampleSubscriber: contextFlag(scope, 'exampleSubscriber') ?? false,
      alarmTopicArn: alarmTopicArnFromContext(scope),
      reconciler: reconcilerContextFrom(scope),
    },
  };
};

/** The one line to print for a settings error (any link of its cause chain), or undefined for any other error. */
export const settingErrorLine = (error: unknown): string | undefined => {
  for (let link: unknown = error; link instanceof Error; link = link.cause) {
    if (link instanceof SettingError || link instanceof ContextError) {
      return (error as Error).message.split('\n')[0];
    }
  }
  return undefined;
};
