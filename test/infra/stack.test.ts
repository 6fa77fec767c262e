import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { METRIC } from '../../functions/contract/metrics';
import { DEFAULTS } from '../../functions/contract/settings';
import { FriendEvents } from '../../infra/friend-events';
import { FUNCTION_4XX_ERR_CODES } from '../../infra/friend-events-alarms';
import { nagFindings, synthStack } from '../helpers/synth';

const { stack, template } = synthStack();
const resources = (type: string) =>
  Object.values(template.findResources(type)) as { Properties: Record<string, any> }[];
const callbackFunction = () => {
  const [fn, ...others] = Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([id]) => /CallbackFunction/.test(id))
    .map(([, resource]) => resource);
  expect(others).toEqual([]);
  return fn as { Properties: Record<string, any> };
};
const statementsOf = (roleId: RegExp) =>
  resources('AWS::IAM::Policy')
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => roleId.test(role.Ref)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);

describe('the callback function', () => {
  it('runs Node.js 24 on arm64 with a timeout above the reply budget', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
    });
  });

  it('gets its configuration from the environment, the token only as a secret ARN', () => {
    const variables = callbackFunction().Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(
      [
        'ALLOWED_SOURCE_CIDRS',
        'BREAKER_COOLDOWN_MS',
        'BREAKER_FAILURE_THRESHOLD',
        'CALLBACK_PATH_PREFIX',
        'CALLBACK_TOKEN_SECRET_ID',
        'EVENT_BUS_NAME',
        'EVENT_SOURCE',
        'MAX_BODY_BYTES',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'PUBLISH_TIMEOUT_MS',
        'REPLY_BUDGET_MS',
        'RETRY_QUEUE_URL',
      ].sort(),
    );
    expect(variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'openim-friend-events',
      POWERTOOLS_METRICS_NAMESPACE: 'OpenImFriendEvents',
      EVENT_BUS_NAME: { Ref: expect.stringMatching(/Bus/) },
      EVENT_SOURCE: 'openim',
      CALLBACK_PATH_PREFIX: 'openim',
      CALLBACK_TOKEN_SECRET_ID: { Ref: expect.stringMatching(/CallbackToken/) },
      RETRY_QUEUE_URL: { Ref: expect.stringMatching(/RetryQueue/) },
      ALLOWED_SOURCE_CIDRS: '',
      MAX_BODY_BYTES: String(DEFAULTS.maxBodyBytes),
      PUBLISH_TIMEOUT_MS: String(DEFAULTS.publishTimeoutMs),
      REPLY_BUDGET_MS: String(DEFAULTS.replyBudgetMs),
      BREAKER_FAILURE_THRESHOLD: String(DEFAULTS.breakerFailureThreshold),
      BREAKER_COOLDOWN_MS: String(DEFAULTS.breakerCooldownMs),
    });
  });

  it('has no reserved concurrency unless asked, and the given one when asked', () => {
    expect(callbackFunction().Properties.ReservedConcurrentExecutions).toBeUndefined();
    synthStack({ reservedConcurrency: 50 }).template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ PUBLISH_TIMEOUT_MS: Match.anyValue() }) },
      ReservedConcurrentExecutions: 50,
    });
  });

  it('writes to its own log group, kept one month', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('may put events on this bus only, only with its source and detail-types', () => {
    const putEvents = statementsOf(/CallbackRole/).filter((statement) => statement.Action === 'events:PutEvents');
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

  it('may send messages to the retry queue only (nothing on the final dead-letter queue), and read the token secret only', () => {
    const statements = statementsOf(/CallbackRole/);
    const sqsStatements = statements.filter((statement) => JSON.stringify(statement.Action).includes('sqs:'));
    expect(sqsStatements).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/RetryQueue/), 'Arn'] },
      },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/DeadLetterQueue/);
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

  it('keeps parked and dead-lettered events 14 days, encrypted, over TLS only, up to 1 MiB', () => {
    const queues = resources('AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    for (const queue of queues) {
      expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
      // A lower MaximumMessageSize would keep a queue below the 1 MiB SQS allows since 2026-01-29.
      expect(queue.Properties.MaximumMessageSize).toBeUndefined();
    }
    const policies = resources('AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      );
    }
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
  it('give the callback base URL (without token), the URL command, the bus, both queues, the drainer, the archive, the secret, the dashboard and the schema registry', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'ArchiveArn',
        'CallbackBaseUrl',
        'CallbackUrlCommand',
        'DashboardName',
        'DeadLetterQueueUrl',
        'DrainerFunctionName',
        'RetryQueueUrl',
        'EventBusArn',
        'EventBusName',
        'SchemaRegistryName',
        'TokenSecretArn',
      ].sort(),
    );
    expect(JSON.stringify(outputs.CallbackBaseUrl?.Value)).toMatch(/execute-api.*\/openim"/);
    expect(outputs.CallbackUrlCommand?.Value).toBe('npm run callback-url -- --stack TestStack');
    expect(outputs.RetryQueueUrl?.Value).toEqual({ Ref: expect.stringMatching(/RetryQueue/) });
    expect(outputs.DeadLetterQueueUrl?.Value).toEqual({ Ref: expect.stringMatching(/DeadLetterQueue/) });
    expect(outputs.DrainerFunctionName?.Value).toEqual({ Ref: expect.stringMatching(/RetryDrainerFunction/) });
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
    const { stack: full } = synthStack({
      alarmEmail: 'ops@example.com',
      allowedSourceCidrs: ['203.0.113.0/24'],
      throttle: { rateLimit: 10, burstLimit: 20 },
      reservedConcurrency: 20,
      sourceMaps: true,
      retryMaxReceiveCount: 5,
      drainerMaxConcurrency: 4,
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
  type AlarmProperties = Record<string, any>;
  const alarmsOf = (of = template) =>
    Object.entries(of.findResources('AWS::CloudWatch::Alarm')).map(
      ([id, alarm]) =>
        [id.replace(/^FriendEventsAlarms|[0-9A-F]{8}$/g, ''), alarm.Properties as AlarmProperties] as const,
    );
  const alarm = (name: string) => {
    const found = alarmsOf().find(([id]) => id === name);
    if (!found) throw new Error(`no alarm ${name}`);
    return found[1];
  };
  const callbackRef = { Ref: expect.stringMatching(/CallbackFunction/) };
  const drainerRef = { Ref: expect.stringMatching(/RetryDrainerFunction/) };
  const stageDimensions = [
    { Name: 'ApiId', Value: { Ref: expect.stringMatching(/Api/) } },
    { Name: 'Stage', Value: '$default' },
  ];

  it('are the ten that say an event is at risk or lost', () => {
    expect(
      alarmsOf()
        .map(([id]) => id)
        .sort(),
    ).toEqual(
      [
        'ApiClientErrors',
        'ApiServerErrors',
        'CallbackErrors',
        'CallbackThrottles',
        'CircuitOpened',
        'DrainerErrors',
        'DrainerThrottles',
        'EventsDeadLettered',
        'EventsLost',
        'ParkedEventsWaiting',
      ].sort(),
    );
  });

  it('watch the queues, the functions and the API stage by their real metrics and dimensions', () => {
    const watched = (name: string) => {
      const { Namespace, MetricName, Dimensions, Statistic, Period } = alarm(name);
      return { Namespace, MetricName, Dimensions, Statistic, Period };
    };
    expect(watched('EventsDeadLettered')).toEqual({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Period: 60,
    });
    expect(watched('ParkedEventsWaiting')).toEqual({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/RetryQueue/), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
    });
    expect(alarm('ParkedEventsWaiting').Threshold).toBe(15 * 60);
    const emitted = [{ Name: 'service', Value: 'openim-friend-events' }];
    expect(watched('CircuitOpened')).toEqual({
      Namespace: 'OpenImFriendEvents',
      MetricName: METRIC.circuitOpened,
      Dimensions: emitted,
      Statistic: 'Sum',
      Period: 300,
    });
    expect(watched('EventsLost')).toEqual({
      Namespace: 'OpenImFriendEvents',
      MetricName: METRIC.lost,
      Dimensions: emitted,
      Statistic: 'Sum',
      Period: 60,
    });
    for (const [name, metricName, fn] of [
      ['CallbackErrors', 'Errors', callbackRef],
      ['CallbackThrottles', 'Throttles', callbackRef],
      ['DrainerErrors', 'Errors', drainerRef],
      ['DrainerThrottles', 'Throttles', drainerRef],
    ] as const) {
      expect(watched(name)).toEqual({
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Sum',
        Period: 60,
      });
    }
    expect(watched('ApiServerErrors')).toEqual({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: stageDimensions,
      Statistic: 'Sum',
      Period: 60,
    });
  });

  it("count API Gateway's own 4xx replies: the stage's 4xx minus the function's own 4xx refusals", () => {
    const { Metrics: metrics } = alarm('ApiClientErrors');
    const [expression, ...inputs] = metrics;
    expect(expression).toMatchObject({ ReturnData: true });
    expect(expression.Expression).toBe(
      `FILL(api4xx, 0) - (${FUNCTION_4XX_ERR_CODES.map((code) => `FILL(refused${code}, 0)`).join(' + ')})`,
    );
    expect(inputs).toHaveLength(10); // CloudWatch's limit for one alarm
    expect(inputs[0]).toEqual({
      Id: 'api4xx',
      MetricStat: {
        Metric: { Namespace: 'AWS/ApiGateway', MetricName: '4xx', Dimensions: stageDimensions },
        Period: 300,
        Stat: 'Sum',
      },
      ReturnData: false,
    });
    expect(inputs.slice(1).map((input: any) => input.MetricStat.Metric)).toEqual(
      FUNCTION_4XX_ERR_CODES.map((code) => ({
        Namespace: 'OpenImFriendEvents',
        MetricName: METRIC.rejected,
        Dimensions: expect.arrayContaining([
          { Name: 'service', Value: 'openim-friend-events' },
          { Name: 'errCode', Value: String(code) },
        ]),
      })),
    );
  });

  it('say in their description what happened and what to do', () => {
    expect(alarm('EventsDeadLettered').AlarmDescription).toMatch(/dead-lettered.*npm run redrive/s);
    expect(alarm('EventsDeadLettered').AlarmDescription).toMatch(/can never be published.*"outcome":"dead-lettered"/s);
    expect(alarm('ParkedEventsWaiting').AlarmDescription).toMatch(/not reaching the bus.*drainer/s);
    expect(alarm('CircuitOpened').AlarmDescription).toMatch(/EventBridge kept failing/);
    expect(alarm('ApiClientErrors').AlarmDescription).toMatch(/Too Many Requests.*reads such a JSON body as success/s);
    expect(alarm('ApiServerErrors').AlarmDescription).toMatch(/reads as success, so the callback is lost/);
    for (const [, properties] of alarmsOf()) expect(properties.AlarmDescription).toMatch(/\. [A-Z].*\.$/s);
  });

  it('fire on the first occurrence and treat missing data as fine', () => {
    for (const [id, properties] of alarmsOf()) {
      expect(properties).toMatchObject({
        Threshold: id === 'ParkedEventsWaiting' ? 900 : 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('notify an email address through a TLS-only topic when one is given', () => {
    const { template: withEmail } = synthStack({ alarmEmail: 'ops@example.com' });
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    withEmail.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const actions = alarmsOf(withEmail).map(([, properties]) => properties.AlarmActions);
    expect(actions).toHaveLength(10);
    for (const action of actions) expect(action).toEqual([{ Ref: expect.stringMatching(/Topic/) }]);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const [, properties] of alarmsOf()) expect(properties.AlarmActions).toBeUndefined();
  });

  it('notify a topic passed in, and create none', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const host = new Stack(app, 'Host');
    const topic = sns.Topic.fromTopicArn(host, 'Ops', 'arn:aws:sns:eu-west-1:111111111111:ops');
    new FriendEvents(host, 'FriendEvents', { alarmTopic: topic });
    const custom = Template.fromStack(host);
    custom.resourceCountIs('AWS::SNS::Topic', 0);
    const actions = Object.values(custom.findResources('AWS::CloudWatch::Alarm')).map(
      (resource) => resource.Properties.AlarmActions,
    );
    expect(actions).toHaveLength(10);
    for (const action of actions) expect(action).toEqual([topic.topicArn]);
  });
});

describe('the dashboard', () => {
  it('shows the flows (published, parked, redriven, unpublishable, lost), the breaker, both queues, the API replies and both functions', () => {
    const [dashboard] = resources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const metricName of [
      METRIC.published,
      METRIC.parked,
      METRIC.redriven,
      METRIC.redriveFailed,
      METRIC.unpublishable,
      METRIC.lost,
      METRIC.circuitOpened,
      METRIC.circuitClosed,
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateAgeOfOldestMessage',
      '4xx',
      '5xx',
      'Errors',
      'Throttles',
      'Duration',
    ]) {
      expect(body).toContain(`\\"${metricName}\\"`);
    }
    for (const logicalId of [/RetryQueue/, /DeadLetterQueue/, /CallbackFunction/, /RetryDrainerFunction/]) {
      expect(body).toMatch(logicalId);
    }
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
