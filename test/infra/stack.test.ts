import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULTS } from '../../functions/contract/settings';
import { FriendEvents } from '../../infra/construct/friend-events';
import { synthStack } from '../helpers/synth';

const { template } = synthStack();
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
