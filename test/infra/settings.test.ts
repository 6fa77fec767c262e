import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { DEFAULTS } from '../../functions/contract/settings';
import { FriendEvents } from '../../infra/construct/friend-events';
import type { FriendEventsProps } from '../../infra/construct/friend-events-props';
import { resolveSettings } from '../../infra/construct/friend-events-settings';

describe('the FriendEvents settings', () => {
  it('default to the shared DEFAULTS', () => {
    expect(resolveSettings({})).toEqual({
      eventSource: 'openim',
      pathPrefix: 'openim',
      allowedSourceCidrs: [],
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      publishTimeoutMs: DEFAULTS.publishTimeoutMs,
      replyBudgetMs: DEFAULTS.replyBudgetMs,
      breakerFailureThreshold: DEFAULTS.breakerFailureThreshold,
      breakerCooldownMs: DEFAULTS.breakerCooldownMs,
      throttle: { rateLimit: DEFAULTS.throttleRateLimit, burstLimit: DEFAULTS.throttleBurstLimit },
      archiveRetentionDays: DEFAULTS.archiveRetentionDays,
      memorySize: 512,
      retryMaxReceiveCount: DEFAULTS.retryMaxReceiveCount,
      drainerMaxConcurrency: DEFAULTS.drainerMaxConcurrency,
      reservedConcurrency: undefined,
      alarmEmail: undefined,
      sourceMaps: false,
      dataRemovalPolicy: RemovalPolicy.RETAIN,
      subscriberAccess: { accounts: [] },
    });
  });

  it('take valid values as given, the path prefix without its slashes', () => {
    expect(
      resolveSettings({
        pathPrefix: '/hooks/openim/',
        allowedSourceCidrs: ['203.0.113.7', '2001:db8::/32'],
        publishTimeout: Duration.seconds(1),
        replyBudget: Duration.millis(1_500),
        circuitBreaker: { failureThreshold: 10 },
        archiveRetention: Duration.days(365),
        reservedConcurrency: 100,
        alarmEmail: 'ops+openim@example.co.uk',
      }),
    ).toMatchObject({
      pathPrefix: 'hooks/openim',
      allowedSourceCidrs: ['203.0.113.7', '2001:db8::/32'],
      publishTimeoutMs: 1_000,
      replyBudgetMs: 1_500,
      breakerFailureThreshold: 10,
      breakerCooldownMs: DEFAULTS.breakerCooldownMs,
      archiveRetentionDays: 365,
      reservedConcurrency: 100,
      alarmEmail: 'ops+openim@example.co.uk',
    });
  });

  // Each bad value fails synth with the setting's name and what it accepts.
  it.each<[string, FriendEventsProps, RegExp]>([
    ['a CIDR prefix too long', { allowedSourceCidrs: ['10.0.0.0/33'] }, /allowedSourceCidrs: expected IPv4 or IPv6/],
    [
      'a host name for a CIDR',
      { allowedSourceCidrs: ['openim.example.com'] },
      /allowedSourceCidrs: .*"openim\.example\.com"/,
    ],
    [
      'a fractional body limit',
      { maxBodyBytes: 1.5 },
      /maxBodyBytes: expected a whole number from 1024 to 4194304, got 1\.5/,
    ],
    ['a body limit too large', { maxBodyBytes: 10_000_000 }, /maxBodyBytes: expected a whole number/],
    [
      'a reply budget that leaves no room to park',
      { replyBudget: Duration.millis(500) },
      /replyBudgetMs: expected a whole number from 550 to 4500, got 500/,
    ],
    [
      'a reply budget below the publish timeout plus the parking reserve',
      { publishTimeout: Duration.seconds(2), replyBudget: Duration.millis(2_400) },
      /replyBudgetMs: expected at least publishTimeoutMs \(2000\) \+ 500 ms kept for parking, got 2400/,
    ],
    ['a reply budget of fractional ms', { replyBudget: Duration.millis(1_500.5) }, /replyBudgetMs: .*got 1500\.5/],
    [
      'a publish timeout too short',
      { publishTimeout: Duration.millis(10) },
      /publishTimeoutMs: expected a whole number from 50 to 3000/,
    ],
    [
      'a publish timeout of fractional ms',
      { publishTimeout: Duration.millis(300.5) },
      /publishTimeoutMs: .*got 300\.5/,
    ],
    ['a path prefix with a space', { pathPrefix: 'open im' }, /pathPrefix: expected URL path segments/],
    ['an empty path prefix', { pathPrefix: '/' }, /pathPrefix: /],
    ['an event source of AWS', { eventSource: 'aws.openim' }, /eventSource: .*not starting with "aws\."/],
    ['an event source with a space', { eventSource: 'open im' }, /eventSource: expected 1 to 256 printable ASCII/],
    [
      'a throttle rate of 0',
      { throttle: { rateLimit: 0, burstLimit: 10 } },
      /throttleRateLimit: expected a whole number from 1/,
    ],
    ['a fractional throttle burst', { throttle: { rateLimit: 10, burstLimit: 2.5 } }, /throttleBurstLimit: /],
    ['an archive kept 36 hours', { archiveRetention: Duration.hours(36) }, /archiveRetentionDays: .*got 1\.5/],
    [
      'an archive kept 20 years',
      { archiveRetention: Duration.days(7_300) },
      /archiveRetentionDays: expected a whole number from 1 to 3650/,
    ],
    ['too little memory', { memorySize: 64 }, /memorySize: expected a whole number from 128 to 10240, got 64/],
    [
      'a breaker that never opens',
      { circuitBreaker: { failureThreshold: 0 } },
      /breakerFailureThreshold: expected a whole number from 1 to 100/,
    ],
    [
      'a breaker cooldown of 100 ms',
      { circuitBreaker: { cooldown: Duration.millis(100) } },
      /breakerCooldownMs: expected a whole number from 500/,
    ],
    [
      'a breaker cooldown of fractional ms',
      { circuitBreaker: { cooldown: Duration.millis(999.9) } },
      /breakerCooldownMs: .*got 999\.9/,
    ],
    [
      'a single receive before dead-lettering',
      { retryMaxReceiveCount: 1 },
      /retryMaxReceiveCount: expected a whole number from 2 to 1000, got 1/,
    ],
    [
      'a drainer concurrency of 1 (Lambda needs 2)',
      { drainerMaxConcurrency: 1 },
      /drainerMaxConcurrency: expected a whole number from 2 to 1000/,
    ],
    [
      'a reserved concurrency of 0',
      { reservedConcurrency: 0 },
      /reservedConcurrency: expected a whole number from 1 to 10000, got 0/,
    ],
    [
      'an alarm email without a domain',
      { alarmEmail: 'ops' },
      /alarmEmail: expected one email address such as ops@example\.com, got "ops"/,
    ],
    ['two alarm emails', { alarmEmail: 'a@example.com,b@example.com' }, /alarmEmail: expected one email address/],
    ['a path prefix of ..', { pathPrefix: '..' }, /pathPrefix: .*none of them "\." or "\.\."/],
    ['a path prefix of .', { pathPrefix: '.' }, /pathPrefix: .*none of them/],
    ['a path prefix with a .. segment', { pathPrefix: 'hooks/../openim' }, /pathPrefix: .*got "hooks\/\.\.\/openim"/],
    [
      'an IPv4-mapped IPv6 range',
      { allowedSourceCidrs: ['::ffff:0:0/96'] },
      /allowedSourceCidrs: expected an IPv4 range written as IPv4/,
    ],
    [
      'a subscriber account of *',
      { subscriberAccess: { accounts: ['*'] } },
      /subscriberAccounts: expected 12-digit AWS account IDs, comma-separated, got "\*"/,
    ],
    ['a subscriber account of abc', { subscriberAccess: { accounts: ['abc'] } }, /subscriberAccounts: .*got "abc"/],
    [
      'a subscriber account of 11 digits',
      { subscriberAccess: { accounts: ['111111111111', '22222222222'] } },
      /subscriberAccounts: .*got "22222222222"/,
    ],
    [
      'a subscriber account given as an ARN',
      { subscriberAccess: { accounts: ['arn:aws:iam::111111111111:root'] } },
      /subscriberAccounts: /,
    ],
    [
      'a subscriber organization of *',
      { subscriberAccess: { organizationId: '*' } },
      /subscriberOrganizationId: expected an AWS Organizations ID: "o-" and 10 to 32 lowercase letters or digits, got "\*"/,
    ],
    [
      'a subscriber organization too short',
      { subscriberAccess: { organizationId: 'o-abc123' } },
      /subscriberOrganizationId: /,
    ],
    [
      'a subscriber organization in capitals',
      { subscriberAccess: { organizationId: 'o-ABCDEFGHIJ' } },
      /subscriberOrganizationId: /,
    ],
  ])('refuse %s', (_case, props, message) => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Invalid');
    expect(() => new FriendEvents(stack, 'FriendEvents', props)).toThrow(message);
    expect(() => resolveSettings(props)).toThrow(/^invalid FriendEvents setting [A-Za-z]+: expected /);
  });
});
