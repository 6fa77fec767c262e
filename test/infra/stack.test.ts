import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FriendEvents } from '../../infra/friend-events';
import { nagFindings, synthStack } from '../helpers/synth';

const { stack, template } = synthStack();
const resources = (type: string) =>
  Object.values(template.findResources(type)) as { Properties: Record<string, any> }[];

describe('the callback function', () => {
  it('runs Node.js 22 on arm64 with a timeout above the reply budget', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
    });
  });

  it('gets its configuration from the environment, the token only as a secret ARN', () => {
    const [fn] = resources('AWS::Lambda::Function');
    const variables = fn?.Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(
      [
        'ALLOWED_SOURCE_CIDRS',
        'CALLBACK_PATH_PREFIX',
        'CALLBACK_TOKEN_SECRET_ID',
        'DEAD_LETTER_QUEUE_URL',
        'EVENT_BUS_NAME',
        'EVENT_SOURCE',
        'MAX_BODY_BYTES',
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'REPLY_BUDGET_MS',
      ].sort(),
    );
    expect(variables).toMatchObject({
      EVENT_SOURCE: 'openim',
      CALLBACK_PATH_PREFIX: 'openim',
      NODE_OPTIONS: '--enable-source-maps',
      REPLY_BUDGET_MS: '2500',
    });
    expect(variables.CALLBACK_TOKEN_SECRET_ID).toEqual({ Ref: expect.stringMatching(/CallbackToken/) });
  });

  it('writes to its own log group, kept one month', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('may put events on this bus only, only with its source and detail-types', () => {
    const statements = resources('AWS::IAM::Policy').flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const putEvents = statements.filter((statement) => statement.Action === 'events:PutEvents');
    expect(putEvents).toEqual([
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/Bus/), 'Arn'] },
        Condition: {
          StringEquals: {
            'events:source': 'openim',
            'events:detail-type': [
              'AfterAddFriend',
              'AfterAddFriendAgree',
              'AfterImportFriends',
              'AfterDeleteFriend',
              'AfterSetFriendRemark',
              'AfterRemoveBlack',
            ],
          },
        },
      },
    ]);
  });

  it('may send messages to the dead-letter queue only, and read the token secret only', () => {
    const statements = resources('AWS::IAM::Policy').flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.find((statement) => statement.Action === 'sqs:SendMessage')?.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'],
    });
    const secretRead = statements.find((statement) =>
      [statement.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(secretRead?.Resource).toEqual({ Ref: expect.stringMatching(/CallbackToken/) });
    for (const statement of statements) {
      expect([statement.Resource].flat()).not.toContain('*');
    }
  });

  it('has no AWS managed policy attached', () => {
    for (const role of resources('AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('the HTTP API', () => {
  it('sends every request to the function through one catch-all route', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('throttles the stage high enough for an OpenIM burst and logs access without the path', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    const [stage] = resources('AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties.AccessLogSettings.Format).not.toMatch(/\$context\.(path|routeKey|resourcePath)/);
  });
});

describe('the bus, archive, queue and secret', () => {
  it('creates a custom bus with an archive of this source kept 30 days', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      RetentionDays: 30,
      EventPattern: { source: ['openim'] },
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Bus'), 'Arn'] },
    });
  });

  it('keeps dead letters 14 days, encrypted, over TLS only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('generates the callback token at deploy time: 43 URL-safe characters, never in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 43, ExcludePunctuation: true, IncludeSpace: false },
    });
    const [secret] = resources('AWS::SecretsManager::Secret');
    expect(secret?.Properties.SecretString).toBeUndefined();
  });
});

describe('outputs', () => {
  it('give the callback base URL (without token), the URL command, the bus, the queue, the archive, the secret, the dashboard and the schema registry', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'ArchiveArn',
        'CallbackBaseUrl',
        'CallbackUrlCommand',
        'DashboardName',
        'DeadLetterQueueUrl',
        'EventBusArn',
        'EventBusName',
        'SchemaRegistryName',
        'TokenSecretArn',
      ].sort(),
    );
    expect(JSON.stringify(outputs.CallbackBaseUrl?.Value)).toMatch(/execute-api.*\/openim"/);
    expect(outputs.CallbackUrlCommand?.Value).toBe('npm run callback-url -- --stack TestStack');
  });
});

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
    });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ALLOWED_SOURCE_CIDRS: '203.0.113.0/24,2001:db8::/32',
          MAX_BODY_BYTES: '4000000',
          EVENT_SOURCE: 'com.example.im',
          CALLBACK_PATH_PREFIX: 'hooks',
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
    const { stack: full } = synthStack({
      alarmEmail: 'ops@example.com',
      allowedSourceCidrs: ['203.0.113.0/24'],
      throttle: { rateLimit: 10, burstLimit: 20 },
    });
    expect(nagFindings(full)).toEqual([]);
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

describe('alarms', () => {
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);

  it('watch the dead-letter queue and the callback function by their real dimensions', () => {
    const byMetric = Object.fromEntries(
      alarms().map((alarm) => [`${alarm.Namespace}/${alarm.MetricName}`, alarm.Dimensions]),
    );
    expect(byMetric['AWS/SQS/ApproximateNumberOfMessagesVisible']).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'QueueName'] } },
    ]);
    expect(byMetric['AWS/Lambda/Errors']).toEqual([
      { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/CallbackFunction/) } },
    ]);
    expect(byMetric['AWS/Lambda/Throttles']).toEqual([
      { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/CallbackFunction/) } },
    ]);
  });

  it('fire on the first occurrence and treat missing data as fine', () => {
    for (const alarm of alarms()) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('notify an email address through a TLS-only topic when one is given', () => {
    const { template: withEmail } = synthStack({ alarmEmail: 'ops@example.com' });
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const actions = Object.values(withEmail.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmActions,
    );
    expect(actions).toHaveLength(4);
    for (const action of actions) expect(action).toEqual([{ Ref: expect.stringMatching(/Topic/) }]);
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });
});

describe('the token secret', () => {
  it('can be an existing secret: none is created, and the function reads that one', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const host = new Stack(app, 'Host');
    const tokenSecret = secretsmanager.Secret.fromSecretCompleteArn(
      host,
      'Existing',
      'arn:aws:secretsmanager:eu-west-1:111111111111:secret:openim-token-AbCdEf',
    );
    new FriendEvents(host, 'FriendEvents', { tokenSecret });
    const custom = Template.fromStack(host);
    custom.resourceCountIs('AWS::SecretsManager::Secret', 0);
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CALLBACK_TOKEN_SECRET_ID: tokenSecret.secretArn }) },
    });
    const statements = (Object.values(custom.findResources('AWS::IAM::Policy')) as any[]).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    expect(
      statements.find((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'))?.Resource,
    ).toBe(tokenSecret.secretArn);
  });

  it('is readable by the callback function only', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const readers = policies.filter(([, policy]) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );
    expect(readers.map(([, policy]) => policy.Properties.Roles)).toEqual([
      [{ Ref: expect.stringMatching(/CallbackRole/) }],
    ]);
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });
});
