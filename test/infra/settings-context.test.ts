import { App, Duration } from 'aws-cdk-lib';
import { DEFAULTS } from '../../functions/contract/settings';
import { checkSettings } from '../../infra/cli/cdk-command';
import { CliError } from '../../infra/cli-kit/cli-errors';
import {
  alarmTopicArnFromContext,
  checkContextKeys,
  friendEventsPropsFromContext,
  stackNameFromContext,
} from '../../infra/construct/stack-context';
import { synthFromContext } from '../helpers/synth';

// The settings as `-c key=value` gives them (settings.test.ts: the construct props).
describe('the settings from CDK context (-c key=value)', () => {
  const propsFrom = (context: Record<string, unknown>) => friendEventsPropsFromContext(new App({ context }));

  it('are absent when not given, so the construct applies its defaults', () => {
    expect(propsFrom({})).toEqual({});
  });

  it('parse every key, from strings (-c) or JSON values (cdk.json)', () => {
    expect(
      propsFrom({
        eventSource: 'com.example.im',
        pathPrefix: 'hooks',
        alarmEmail: 'ops@example.com',
        tracing: 'true',
        sourceMaps: true,
        maxBodyBytes: '1048576',
        memorySize: 1024,
        allowedSourceCidrs: '203.0.113.0/24, 2001:db8::/32',
        subscriberAccounts: '111111111111,222222222222',
        throttleRateLimit: '50',
        publishTimeoutMs: '400',
        replyBudgetMs: 2000,
        breakerFailureThreshold: '5',
        breakerCooldownMs: '30000',
        retryMaxReceiveCount: '10',
        drainerMaxConcurrency: '3',
        reservedConcurrency: '25',
        archiveRetentionDays: '90',
      }),
    ).toEqual({
      eventSource: 'com.example.im',
      pathPrefix: 'hooks',
      alarmEmail: 'ops@example.com',
      tracing: true,
      sourceMaps: true,
      maxBodyBytes: 1_048_576,
      memorySize: 1024,
      allowedSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'],
      subscriberAccess: { accounts: ['111111111111', '222222222222'], organizationId: undefined },
      throttle: { rateLimit: 50, burstLimit: DEFAULTS.throttleBurstLimit },
      publishTimeout: Duration.millis(400),
      replyBudget: Duration.millis(2000),
      circuitBreaker: { failureThreshold: 5, cooldown: Duration.millis(30_000) },
      retryMaxReceiveCount: 10,
      drainerMaxConcurrency: 3,
      reservedConcurrency: 25,
      archiveRetention: Duration.days(90),
    });
  });

  it("refuse a misspelt key instead of deploying the default, and let the CDK's own keys through", () => {
    expect(() => checkContextKeys(new App({ context: { replyBudgetMS: '900' } }))).toThrow(
      /unknown context key "replyBudgetMS": the settings are .*replyBudgetMs/,
    );
    expect(() =>
      checkContextKeys(new App({ context: { replyBudgetMs: '900', '@aws-cdk/core:checkSecretUsage': true } })),
    ).not.toThrow();
  });

  it('take an existing SNS topic for the alarms by its ARN (-c alarmTopic=), and refuse anything else', () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';
    expect(alarmTopicArnFromContext(new App({ context: { alarmTopic: arn } }))).toBe(arn);
    expect(() => alarmTopicArnFromContext(new App({ context: { alarmTopic: 'ops-alarms' } }))).toThrow(
      /alarmTopic: expected an SNS topic ARN/,
    );
  });

  it('reach the construct unrounded: maxBodyBytes=1.5 fails synth as 1.5', () => {
    expect(propsFrom({ maxBodyBytes: '1.5' }).maxBodyBytes).toBe(1.5);
    expect(() => synthFromContext({ maxBodyBytes: '1.5' })).toThrow(
      /maxBodyBytes: expected a whole number from 1024 to 4194304, got 1\.5/,
    );
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ allowedSourceCidrs: '10.0.0.0/33' }, /allowedSourceCidrs: .*"10\.0\.0\.0\/33"/],
    [{ allowedSourceCidrs: 'openim.example.com' }, /allowedSourceCidrs: .*"openim\.example\.com"/],
    [{ replyBudgetMs: '500' }, /replyBudgetMs: expected a whole number from 550 to 4500, got 500/],
    [{ publishTimeoutMs: '1200', replyBudgetMs: '1500' }, /replyBudgetMs: expected at least publishTimeoutMs \(1200\)/],
    [{ publishTimeoutMs: '-5' }, /publishTimeoutMs: expected a whole number from 50 to 3000, got -5/],
    [{ breakerCooldownMs: '0.5' }, /breakerCooldownMs: .*got 0\.5/],
    [{ archiveRetentionDays: '-1' }, /archiveRetentionDays: expected a whole number from 1 to 3650, got -1/],
    [{ retryMaxReceiveCount: '0' }, /retryMaxReceiveCount: /],
    [{ reservedConcurrency: '2.5' }, /reservedConcurrency: .*got 2\.5/],
    [{ memorySize: '100' }, /memorySize: expected a whole number from 128 to 10240, got 100/],
    [{ throttleBurstLimit: '0' }, /throttleBurstLimit: /],
    [{ maxBodyBytes: '1e6' }, /context maxBodyBytes: expected a number, got "1e6"/],
    [{ maxBodyBytes: '0x400' }, /context maxBodyBytes: expected a number, got "0x400"/],
    [{ drainerMaxConcurrency: 'many' }, /context drainerMaxConcurrency: expected a number, got "many"/],
    [{ sourceMaps: 'yes' }, /context sourceMaps: expected true or false, got "yes"/],
    [{ tracing: 1 }, /context tracing: expected true or false, got "1"/],
    [{ alarmEmail: 'ops@' }, /alarmEmail: expected one email address/],
    [{ eventSource: 'aws.events' }, /eventSource: /],
    [{ subscriberAccounts: '*' }, /subscriberAccounts: expected 12-digit AWS account IDs.*got "\*"/],
    [{ subscriberAccounts: 'abc' }, /subscriberAccounts: .*got "abc"/],
    [{ subscriberOrganizationId: '*' }, /subscriberOrganizationId: .*got "\*"/],
    [{ pathPrefix: '..' }, /pathPrefix: .*got "\.\."/],
    [{ allowedSourceCidrs: '::ffff:203.0.113.7' }, /allowedSourceCidrs: expected an IPv4 range written as IPv4/],
  ])('fail synth on %j', (context, message) => {
    expect(() => synthFromContext(context)).toThrow(message);
  });

  it.each([
    ['a name starting with a digit', '1OpenIm'],
    ['an underscore', 'OpenIm_Events'],
    ['a dot', 'OpenIm.Events'],
    ['129 characters', `A${'b'.repeat(128)}`],
  ])("refuse a stackName with %s, naming the key, as CloudFormation's rule does", (_label, stackName) => {
    expect(() => stackNameFromContext(new App({ context: { stackName } }))).toThrow(
      new RegExp(
        `^invalid context stackName: expected a CloudFormation stack name: .*got ${JSON.stringify(JSON.stringify(stackName)).slice(1, -1).replace(/[.]/g, '\\.')}`,
      ),
    );
  });

  it('take a stackName by that rule, and the default without one', () => {
    expect(stackNameFromContext(new App({ context: { stackName: 'My-Friend-Events-2' } }))).toBe('My-Friend-Events-2');
    expect(stackNameFromContext(new App({ context: { stackName: `A${'b'.repeat(127)}` } }))).toHaveLength(128);
    expect(stackNameFromContext(new App())).toBe(DEFAULTS.stackName);
  });

  it('take subscriber accounts and an organization ID that follow the rules, and grant exactly them', () => {
    const { template } = synthFromContext({
      subscriberAccounts: '111111111111, 222222222222',
      subscriberOrganizationId: 'o-a1b2c3d4e5',
    });
    const policy = JSON.stringify(template.findResources('AWS::Events::EventBusPolicy'));
    expect(policy).toContain('arn:');
    expect(policy).toMatch(/111111111111/);
    expect(policy).toMatch(/o-a1b2c3d4e5/);
  });

  it('synthesize the stack with the given values', () => {
    const { template } = synthFromContext({
      publishTimeoutMs: '250',
      replyBudgetMs: '1000',
      reservedConcurrency: '30',
      sourceMaps: 'true',
      retryMaxReceiveCount: '8',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 30,
      Environment: {
        Variables: {
          PUBLISH_TIMEOUT_MS: '250',
          REPLY_BUDGET_MS: '1000',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 8 } });
  });
});

describe('the check npm run deploy and npm run synth make before cdk starts (checkSettings)', () => {
  const refusal = (args: string[]) => {
    try {
      checkSettings(args);
      return 'accepted';
    } catch (error) {
      return error instanceof CliError ? [error.message, error.exitCode] : error;
    }
  };

  it('accepts the settings of cdk.json and good -c values', () => {
    expect(refusal(['-c', 'maxBodyBytes=2048', '--context=openImApiUrl=http://openim:10002'])).toBe('accepted');
  });

  it.each([
    [
      ['--context=maxBodyBytes=5'],
      'invalid FriendEvents setting maxBodyBytes: expected a whole number from 1024 to 4194304, got 5',
    ],
    [['-c', 'openImApiUrl=ftp://x'], /^invalid Reconciler setting openImApiUrl: /],
    [['-c', 'maxBodyByte=5'], /^unknown context key "maxBodyByte": the settings are .*maxBodyBytes/],
    [
      ['-c', 'openImApiUrl=http://openim:10002', '-c', 'reconcileSchedule=every day'],
      /^invalid Reconciler setting reconcileSchedule: /,
    ],
  ])('refuses %j in one line naming the setting, a usage error (exit 2)', (args, message) => {
    const [text, exitCode] = refusal(args) as [string, number];
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    expect(exitCode).toBe(2);
  });
});
