import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FriendEventsProps } from './friend-events';

/** Reads the product's settings from CDK context (`-c alarmEmail=ops@example.com`, or cdk.json). */
export const stackPropsFromContext = (scope: Construct): FriendEventsProps => {
  const context = (key: string): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const number = (key: string): number | undefined => {
    const value = context(key);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`context ${key} must be a positive number`);
    return parsed;
  };
  const cidrs = context('allowedSourceCidrs');
  const list = (key: string) =>
    context(key)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const rateLimit = number('throttleRateLimit');
  const burstLimit = number('throttleBurstLimit');
  const replyBudgetMs = number('replyBudgetMs');
  const archiveRetentionDays = number('archiveRetentionDays');
  const props: FriendEventsProps = {
    eventSource: context('eventSource'),
    pathPrefix: context('pathPrefix'),
    alarmEmail: context('alarmEmail'),
    tracing: context('tracing') === undefined ? undefined : context('tracing') === 'true',
    maxBodyBytes: number('maxBodyBytes'),
    allowedSourceCidrs: cidrs?.split(',').map((cidr) => cidr.trim()),
    subscriberAccess:
      context('subscriberAccounts') || context('subscriberOrganizationId')
        ? { accounts: list('subscriberAccounts') ?? [], organizationId: context('subscriberOrganizationId') }
        : undefined,
    throttle: rateLimit || burstLimit ? { rateLimit: rateLimit ?? 1_000, burstLimit: burstLimit ?? 2_000 } : undefined,
    replyBudget: replyBudgetMs ? Duration.millis(replyBudgetMs) : undefined,
    archiveRetention: archiveRetentionDays ? Duration.days(archiveRetentionDays) : undefined,
  };
  return Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined)) as FriendEventsProps;
};
