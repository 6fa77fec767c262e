import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { nagFindings } from '../helpers/nag';
import { synthStack } from '../helpers/synth';

/** The stack's options, cdk-nag and tracing (stack.test.ts: the default stack's resources). */
const { stack } = synthStack();

const EVERY_OPTION = {
  alarmEmail: 'ops@example.com',
  allowedSourceCidrs: ['203.0.113.0/24'],
  throttle: { rateLimit: 10, burstLimit: 20 },
  reservedConcurrency: 20,
  sourceMaps: true,
  retryMaxReceiveCount: 5,
  drainerMaxConcurrency: 4,
};

describe('options', () => {
  it('publishes to a bus passed in, and creates none', () => {
    const { template: custom } = synthStack({
      eventBus: events.EventBus.fromEventBusArn(
        new Stack(),
        'Bus',
        'arn:aws:events:eu-west-1:111111111111:event-bus/shared',
      ),
    });
    custom.resourceCountIs('AWS::Events::EventBus', 0);
    const statements = (Object.values(custom.findResources('AWS::IAM::Policy')) as any[]).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    expect(statements.find((s) => s.Action === 'events:PutEvents')?.Resource).toBe(
      'arn:aws:events:eu-west-1:111111111111:event-bus/shared',
    );
  });

  it('passes the allow-list, limits, budget, source and prefix to the function and the throttling to the stage', () => {
    const { template: custom } = synthStack({
      allowedSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'],
      maxBodyBytes: 4_000_000,
      throttle: { rateLimit: 50, burstLimit: 100 },
      eventSource: 'com.example.im',
      pathPrefix: '/hooks/',
      publishTimeout: Duration.millis(400),
      replyBudget: Duration.seconds(2),
      circuitBreaker: { failureThreshold: 5, cooldown: Duration.seconds(30) },
    });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ALLOWED_SOURCE_CIDRS: '203.0.113.0/24,2001:db8::/32',
          MAX_BODY_BYTES: '4000000',
          EVENT_SOURCE: 'com.example.im',
          CALLBACK_PATH_PREFIX: 'hooks',
          PUBLISH_TIMEOUT_MS: '400',
          REPLY_BUDGET_MS: '2000',
          BREAKER_FAILURE_THRESHOLD: '5',
          BREAKER_COOLDOWN_MS: '30000',
        }),
      },
    });
    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    custom.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: ['com.example.im'] } });
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('finds nothing unacknowledged in the default stack', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with every option set', () => {
    const { stack: full } = synthStack(EVERY_OPTION);
    expect(nagFindings(full)).toEqual([]);
  });
});

describe("the CDK's built-in CloudFormation validation (cdk synth runs it, failing on an error)", () => {
  it('passes with every option set, the reference subscriber and the reconciler in a VPC', () => {
    const { app, template } = synthStack(EVERY_OPTION, {
      cloudFormationValidation: true,
      exampleSubscriber: true,
      reconciler: {
        openImApiUrl: 'http://openim.internal:10002',
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        securityGroupIds: ['sg-0123456789abcdef0'],
      },
    });
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    // It ran (a synth without it writes no report) and reported no violation.
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
  });
});

describe('tracing', () => {
  it('is off by default (the bundle test checks its code is compiled out)', () => {
    synthStack().template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
  });

  it('turns on X-Ray active tracing, with a reason for its wildcard permission', () => {
    const { stack, template } = synthStack({ tracing: true });
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    expect(nagFindings(stack)).toEqual([]);
  });
});
