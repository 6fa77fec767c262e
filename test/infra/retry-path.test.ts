import { Match } from 'aws-cdk-lib/assertions';
import { CALLBACK_DETAIL_TYPES } from '../../functions/contract/events';
import { DEFAULTS } from '../../functions/contract/settings';
import { synthStack } from '../helpers/synth';

const { template } = synthStack();
const resourcesMatching = (type: string, logicalId: RegExp) =>
  Object.entries(template.findResources(type))
    .filter(([id]) => logicalId.test(id))
    .map(([, resource]) => resource.Properties as Record<string, any>);
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0] as T;
};
const retryQueueArn = { 'Fn::GetAtt': [expect.stringMatching(/RetryQueue/), 'Arn'] };

describe('the retry queue (parked events)', () => {
  it('dead-letters a message in the final queue after retryMaxReceiveCount receives', () => {
    expect(only(resourcesMatching('AWS::SQS::Queue', /RetryQueue/)).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] },
      maxReceiveCount: DEFAULTS.retryMaxReceiveCount,
    });
    synthStack({ retryMaxReceiveCount: 5 }).template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    });
  });

  it('hides a received message six times the drainer timeout, as AWS recommends for a Lambda event source', () => {
    const drainer = only(resourcesMatching('AWS::Lambda::Function', /RetryDrainerFunction/));
    expect(only(resourcesMatching('AWS::SQS::Queue', /RetryQueue/)).VisibilityTimeout).toBe(6 * drainer.Timeout);
  });

  it('has no queue behind the final dead-letter queue', () => {
    expect(only(resourcesMatching('AWS::SQS::Queue', /DeadLetterQueue/)).RedrivePolicy).toBeUndefined();
  });
});

describe('the retry drainer', () => {
  it('runs Node.js 24 on arm64, 256 MB, 30 s, told only the retry and dead-letter queue URLs', () => {
    expect(only(resourcesMatching('AWS::Lambda::Function', /RetryDrainerFunction/))).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'openim-friend-events',
          POWERTOOLS_METRICS_NAMESPACE: 'OpenImFriendEvents',
          RETRY_QUEUE_URL: { Ref: expect.stringMatching(/RetryQueue/) },
          DEAD_LETTER_QUEUE_URL: { Ref: expect.stringMatching(/DeadLetterQueue/) },
        },
      },
    });
  });

  it('consumes the retry queue in batches of 10, reports partial batch failures, and runs at most drainerMaxConcurrency at once', () => {
    expect(only(resourcesMatching('AWS::Lambda::EventSourceMapping', /./))).toEqual({
      EventSourceArn: retryQueueArn,
      FunctionName: { Ref: expect.stringMatching(/RetryDrainerFunction/) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: DEFAULTS.drainerMaxConcurrency },
    });
    synthStack({ drainerMaxConcurrency: 5 }).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('may put events on this bus as the callback function does, consume the retry queue, and only send to the dead-letter queue', () => {
    const statements = resourcesMatching('AWS::IAM::Policy', /RetryDrainerRole/).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/RetryDrainerLogs/), 'Arn'] },
      },
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/Bus/), 'Arn'] },
        Condition: {
          StringEquals: {
            'events:source': 'openim',
            'events:detail-type': [...CALLBACK_DETAIL_TYPES],
          },
        },
      },
      {
        Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        Effect: 'Allow',
        Resource: retryQueueArn,
      },
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] },
      },
    ]);
    const callbackPutEvents = resourcesMatching('AWS::IAM::Policy', /CallbackRole/)
      .flatMap((policy) => policy.PolicyDocument.Statement)
      .find((statement) => statement.Action === 'events:PutEvents');
    expect(statements[1]).toEqual(callbackPutEvents);
  });

  it('gets its permissions before the event source mapping is created', () => {
    const [mappingId] = Object.keys(template.findResources('AWS::Lambda::EventSourceMapping'));
    const [drainerId, drainer] = only(
      Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => /RetryDrainer/.test(id)),
    );
    expect(template.toJSON().Resources[mappingId as string].Properties.FunctionName).toEqual({ Ref: drainerId });
    expect(drainer.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/RetryDrainerRoleDefaultPolicy/)]));
  });
});

describe('the final dead-letter queue', () => {
  it('may only be sent to, and only by the drainer (for entries that can never be published)', () => {
    const grants = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, policy]) =>
      (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
        .filter((statement) => JSON.stringify(statement.Resource).includes('DeadLetterQueue'))
        .map((statement) => ({ id, action: statement.Action })),
    );
    expect(grants).toEqual([{ id: expect.stringMatching(/RetryDrainerRole/), action: 'sqs:SendMessage' }]);
  });
});

describe('source maps', () => {
  const nodeOptions = (props: Parameters<typeof synthStack>[0]) =>
    Object.values(synthStack(props).template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Environment.Variables.NODE_OPTIONS,
    );

  it('are off by default: no NODE_OPTIONS in either function', () => {
    expect(nodeOptions({})).toEqual([undefined, undefined]);
  });

  it('turn on --enable-source-maps in both functions when asked', () => {
    expect(nodeOptions({ sourceMaps: true })).toEqual(['--enable-source-maps', '--enable-source-maps']);
  });
});
