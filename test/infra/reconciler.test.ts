import validateAsl from 'asl-validator';
import type { Template } from 'aws-cdk-lib/assertions';
import { ADMIN_SECRET_PLACEHOLDER } from '../../functions/adapters/aws/admin-secret';
import { ENGINE_ERRORS, NO_ADMIN_TOKEN } from '../../functions/contract/deployment';
import { CALLBACK_DETAIL_TYPES, RECONCILED_DETAIL_TYPES } from '../../functions/contract/events';
import { DEFAULTS } from '../../functions/contract/settings';
import { stateMachineDefinition } from '../helpers/deployed-functions';
import { nagFindings } from '../helpers/nag';
import { synthFromContext } from '../helpers/synth';

/** The reconciler as `cdk synth -c openImApiUrl=... -c ...` makes it. */
const synth = (context: Record<string, unknown> = {}) =>
  synthFromContext({ openImApiUrl: 'http://openim.internal:10002', ...context });

type Json = Record<string, unknown>;
const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type)) as [string, Json][];
const only = (template: Template, type: string, idPattern: RegExp) => {
  const found = resources(template, type).filter(([id]) => idPattern.test(id));
  expect(found).toHaveLength(1);
  return (found[0]?.[1].Properties ?? {}) as Json;
};

/** The state machine's definition, each function's ARN a readable stand-in naming its logical ID. */
const definitionOf = (template: Template): Json =>
  stateMachineDefinition(only(template, 'AWS::StepFunctions::StateMachine', /ReconcilerSweep/).DefinitionString);

const statementsOf = (template: Template, rolePattern: RegExp) =>
  resources(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify((policy.Properties as Json).Roles).match(rolePattern))
    .flatMap(([, policy]) => ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement);

describe('the reconciler', () => {
  it('is off unless openImApiUrl is set', () => {
    const { template } = synthFromContext({});
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  it('deploys the friend graph it compares with, even without exampleSubscriber', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::DynamoDB::Table', 2); // the graph and the reconciler's own
    template.hasOutput('FriendGraphTableName', {});
    template.hasOutput('ReconcilerStateMachineArn', {});
    template.hasOutput('ReconcilerAdminSecretArn', {});
  });

  it('runs a sweep on an EventBridge Scheduler schedule, daily by default', () => {
    const daily = only(synth().template, 'AWS::Scheduler::Schedule', /Reconciler/);
    expect(daily).toMatchObject({
      ScheduleExpression: DEFAULTS.reconcileSchedule,
      Target: { Arn: { Ref: expect.stringMatching(/ReconcilerSweep/) }, Input: '{}' },
    });
    const custom = only(
      synth({ reconcileSchedule: 'cron(0 3 * * ? *)' }).template,
      'AWS::Scheduler::Schedule',
      /Reconciler/,
    );
    expect(custom.ScheduleExpression).toBe('cron(0 3 * * ? *)');
  });

  it('fans out over pages with a Distributed Map at the concurrency setting, then the orphans, retrying parts', () => {
    const definition = definitionOf(synth({ reconcileConcurrency: '7', reconcileCallsPerSecond: '70' }).template);
    expect(validateAsl(definition).errorsText()).toBe('');
    const states = definition.States as Record<string, Json>;
    for (const [map, part] of [
      ['SweepPages', 'SweepPage'],
      ['SweepOrphans', 'SweepSegment'],
    ] as const) {
      expect(states[map]).toMatchObject({
        Type: 'Map',
        MaxConcurrency: 7,
        ToleratedFailurePercentage: 0,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ReleaseAfterFailure' }],
      });
      const task = (states[map] as { ItemProcessor: { States: Record<string, Json> } }).ItemProcessor.States[part];
      expect(task?.Resource).toMatch(/ReconcilerWorkerFunction/);
      expect(task?.Retry).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ErrorEquals: [ENGINE_ERRORS.openImUnavailable], BackoffRate: 2, MaxAttempts: 6 }),
          expect.objectContaining({
            ErrorEquals: [ENGINE_ERRORS.openImRefused, ENGINE_ERRORS.adminSecretNotSet],
            MaxAttempts: 0,
          }),
          expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException']) }),
        ]),
      );
    }
    expect(states.Plan).toMatchObject({ Resource: expect.stringMatching(/ReconcilerPlanFunction/), Next: 'Locked' });
    // Failure: the finish function releases the lock, then the execution fails (and alarms).
    expect(states.ReleaseAfterFailure).toMatchObject({
      Resource: expect.stringMatching(/ReconcilerFinishFunction/),
      Parameters: { 'sweepID.$': '$$.Execution.Name', 'failure.$': '$.failure' },
      Next: 'SweepFailed',
    });
    expect(states.SweepFailed).toMatchObject({ Type: 'Fail' });
  });

  it('paces repair events by reconcileEventsPerSecond (100 by default), and may set aside only in the final dead-letter queue', () => {
    const worker = (context: Record<string, unknown>) =>
      only(synth(context).template, 'AWS::Lambda::Function', /ReconcilerWorkerFunction/) as {
        Environment: { Variables: Json };
      };
    expect(worker({}).Environment.Variables).toMatchObject({
      RECONCILE_EVENTS_PER_SECOND: String(DEFAULTS.reconcileEventsPerSecond),
      DEAD_LETTER_QUEUE_URL: { Ref: expect.stringMatching(/DeadLetterQueue/) },
    });
    expect(worker({ reconcileEventsPerSecond: '40' }).Environment.Variables.RECONCILE_EVENTS_PER_SECOND).toBe('40');
    const sends = statementsOf(synth().template, /ReconcilerWorkerRole/).filter(
      (statement) => statement.Action === 'sqs:SendMessage',
    );
    expect(sends).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] } }),
    ]);
  });

  it('gives a sweep the time limit of the setting, and its lock the same', () => {
    const { template } = synth({ reconcileMaxHours: '6' });
    expect(definitionOf(template).TimeoutSeconds).toBe(6 * 3600);
    expect(only(template, 'AWS::Lambda::Function', /ReconcilerPlanFunction/)).toMatchObject({
      Environment: { Variables: expect.objectContaining({ RECONCILE_MAX_HOURS: '6' }) },
    });
  });

  it('paces the workers by the calls-per-second and concurrency settings', () => {
    const { template } = synth({ reconcileCallsPerSecond: '120', reconcileConcurrency: '3' });
    for (const fn of [/ReconcilerPlanFunction/, /ReconcilerWorkerFunction/]) {
      expect(only(template, 'AWS::Lambda::Function', fn)).toMatchObject({
        Environment: {
          Variables: expect.objectContaining({ RECONCILE_CALLS_PER_SECOND: '120', RECONCILE_CONCURRENCY: '3' }),
        },
      });
    }
    expect(only(template, 'AWS::Lambda::Function', /ReconcilerWorkerFunction/)).toMatchObject({ Timeout: 900 });
  });

  it('keeps the admin secret in Secrets Manager: a secret to fill by default, only its ARN in the functions', () => {
    const { template } = synth({ openImAdminUserID: 'reconciler-1' });
    expect(only(template, 'AWS::SecretsManager::Secret', /ReconcilerAdminSecret/)).toMatchObject({
      SecretString: ADMIN_SECRET_PLACEHOLDER,
    });
    const worker = only(template, 'AWS::Lambda::Function', /ReconcilerWorkerFunction/) as {
      Environment: { Variables: Json };
    };
    expect(worker.Environment.Variables).toMatchObject({
      OPENIM_ADMIN_USER_ID: 'reconciler-1',
      OPENIM_ADMIN_SECRET_ID: { Ref: expect.stringMatching(/ReconcilerAdminSecret/) },
    });
    expect(JSON.stringify(worker)).not.toMatch(/openIM123|SECRET"?:/i);
    // Only the functions that log in may read it.
    const readers = resources(template, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy).includes('secretsmanager:GetSecretValue'))
      .filter(([, policy]) => JSON.stringify(policy).includes('ReconcilerAdminSecret'))
      .map(([, policy]) => JSON.stringify((policy.Properties as Json).Roles));
    expect(readers.join(' ')).toMatch(/ReconcilerPlanRole/);
    expect(readers.join(' ')).toMatch(/ReconcilerWorkerRole/);
    expect(readers.join(' ')).not.toMatch(/ReconcilerFinishRole/);
  });

  it("seals OpenIM's admin token in a secret of its own: only the plan and worker roles read or write it", () => {
    const { template } = synth();
    expect(only(template, 'AWS::SecretsManager::Secret', /ReconcilerAdminToken/)).toMatchObject({
      SecretString: NO_ADMIN_TOKEN,
    });
    for (const fn of [/ReconcilerPlanFunction/, /ReconcilerWorkerFunction/]) {
      expect(only(template, 'AWS::Lambda::Function', fn)).toMatchObject({
        Environment: {
          Variables: expect.objectContaining({
            OPENIM_TOKEN_SECRET_ID: { Ref: expect.stringMatching(/ReconcilerAdminToken/) },
          }),
        },
      });
    }
    const tokenActions = (role: RegExp) =>
      statementsOf(template, role)
        .filter((statement) => JSON.stringify(statement.Resource).includes('ReconcilerAdminToken'))
        .flatMap((statement) => [statement.Action].flat());
    for (const role of [/ReconcilerPlanRole/, /ReconcilerWorkerRole/]) {
      expect(tokenActions(role).sort()).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
    }
    expect(tokenActions(/ReconcilerFinishRole/)).toEqual([]);
    // Whatever a role's own policies allow (ReadOnlyAccess, an operator's), the secret denies it the value.
    const policy = only(template, 'AWS::SecretsManager::ResourcePolicy', /ReconcilerAdminToken/) as {
      SecretId: unknown;
      ResourcePolicy: { Statement: Json[] };
    };
    expect(JSON.stringify(policy.SecretId)).toMatch(/ReconcilerAdminToken/);
    expect(policy.ResourcePolicy.Statement).toEqual([
      {
        Sid: 'OnlyTheReconcilerReadsOrWritesTheToken',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']),
        Resource: '*',
        Condition: {
          ArnNotEquals: {
            'aws:PrincipalArn': [
              { 'Fn::GetAtt': [expect.stringMatching(/^ReconcilerPlanRole/), 'Arn'] },
              { 'Fn::GetAtt': [expect.stringMatching(/^ReconcilerWorkerRole/), 'Arn'] },
            ],
          },
        },
      },
    ]);
    // No token in the table any more: the functions may only delete the old plain-text item.
    for (const role of [/ReconcilerPlanRole/, /ReconcilerWorkerRole/]) {
      expect(statementsOf(template, role).filter((statement) => statement.Action === 'dynamodb:DeleteItem')).toEqual([
        expect.objectContaining({
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['token#*'] } },
        }),
      ]);
    }
  });

  it('uses an existing secret by its ARN instead', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:openim-admin-AbCdEf';
    const { template } = synth({ openImAdminSecretArn: arn });
    template.resourceCountIs('AWS::SecretsManager::Secret', 2); // the callback token and the admin token
    expect(only(template, 'AWS::Lambda::Function', /ReconcilerWorkerFunction/)).toMatchObject({
      Environment: { Variables: expect.objectContaining({ OPENIM_ADMIN_SECRET_ID: arn }) },
    });
  });

  it('alarms when a sweep fails, times out or is aborted, and when it finds more drift than the threshold', () => {
    const { template } = synth({ reconcileDriftAlarmThreshold: '250', alarmEmail: 'ops@example.com' });
    const failed = only(template, 'AWS::CloudWatch::Alarm', /SweepFailedAlarm/) as {
      Metrics: Json[];
      AlarmActions: unknown[];
    };
    const metricNames = JSON.stringify(failed.Metrics);
    for (const name of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])
      expect(metricNames).toContain(name);
    expect(failed.AlarmActions).toHaveLength(1);
    expect(only(template, 'AWS::CloudWatch::Alarm', /DriftAlarm/)).toMatchObject({
      MetricName: 'SweepDifferences',
      Namespace: 'OpenImFriendEvents',
      Threshold: 250,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [expect.anything()],
    });
  });

  it('may put only its repairs and snapshot parts, finish only the completion, and the callback function still only the six callbacks', () => {
    const { template } = synth();
    const putEvents = (role: RegExp) =>
      statementsOf(template, role).filter((statement) => statement.Action === 'events:PutEvents');
    expect(putEvents(/ReconcilerWorkerRole/)).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: {
            'events:source': 'openim',
            'events:detail-type': [...RECONCILED_DETAIL_TYPES, 'FriendListSnapshot'],
          },
        },
      }),
    ]);
    expect(putEvents(/ReconcilerFinishRole/)).toEqual([
      expect.objectContaining({
        Condition: { StringEquals: { 'events:source': 'openim', 'events:detail-type': 'FriendSnapshotCompleted' } },
      }),
    ]);
    expect(putEvents(/CallbackRole/)).toEqual([
      expect.objectContaining({
        Condition: { StringEquals: { 'events:source': 'openim', 'events:detail-type': [...CALLBACK_DETAIL_TYPES] } },
      }),
    ]);
    expect(putEvents(/ReconcilerPlanRole/)).toEqual([]);
    const finishEnvironment = (
      only(template, 'AWS::Lambda::Function', /ReconcilerFinish/).Environment as { Variables: Json }
    ).Variables;
    expect(finishEnvironment).toMatchObject({ EVENT_SOURCE: 'openim', EVENT_BUS_NAME: expect.anything() });
  });

  it('lets the worker only Query and Scan the graph, and each function only what it does on its own table', () => {
    const { template } = synth();
    const dynamo = (role: RegExp) =>
      statementsOf(template, role)
        .filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:'))
        .map((statement) => ({
          actions: [statement.Action].flat().sort(),
          table: JSON.stringify(statement.Resource).match(/(FriendGraph|Reconciler)Table/)?.[1],
        }));
    // Only the plain-text token item of earlier versions, by its key (see the sealed-token test).
    const legacyTokenDelete = { table: 'Reconciler', actions: ['dynamodb:DeleteItem'] };
    expect(dynamo(/ReconcilerWorkerRole/)).toEqual([
      {
        table: 'Reconciler',
        actions: [
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
      },
      { table: 'FriendGraph', actions: ['dynamodb:Query', 'dynamodb:Scan'] },
      legacyTokenDelete,
    ]);
    expect(dynamo(/ReconcilerPlanRole/)).toEqual([
      { table: 'Reconciler', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
      legacyTokenDelete,
    ]);
    expect(dynamo(/ReconcilerFinishRole/)).toEqual([
      { table: 'Reconciler', actions: ['dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:UpdateItem'] },
    ]);
  });

  it('keeps its state in an encrypted table with point-in-time recovery and expiring sweep records', () => {
    expect(only(synth().template, 'AWS::DynamoDB::Table', /ReconcilerTable/)).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('runs the functions that call OpenIM in the given subnets when the API is not public', () => {
    const { template } = synth({
      openImVpcId: 'vpc-0123456789abcdef0',
      openImSubnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
    });
    for (const fn of [/ReconcilerPlanFunction/, /ReconcilerWorkerFunction/]) {
      expect(only(template, 'AWS::Lambda::Function', fn)).toMatchObject({
        VpcConfig: {
          SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
          SecurityGroupIds: [expect.anything()],
        },
      });
    }
    expect(only(template, 'AWS::Lambda::Function', /ReconcilerFinishFunction/).VpcConfig).toBeUndefined();
    expect(JSON.stringify(statementsOf(template, /ReconcilerWorkerRole/))).toContain('ec2:CreateNetworkInterface');
  });

  it.each([{}, { openImVpcId: 'vpc-0123456789abcdef0', openImSubnetIds: 'subnet-0123456789abcdef0' }])(
    'passes cdk-nag, every acknowledged finding with a reason (%o)',
    (context) => {
      expect(nagFindings(synth(context).stack)).toEqual([]);
    },
  );

  it.each<[Record<string, unknown>, RegExp]>([
    [{ openImApiUrl: 'openim:10002' }, /openImApiUrl: expected the http\(s\) URL/],
    [{ openImApiUrl: 'http://openim:10002/?x=1' }, /openImApiUrl/],
    [{ openImApiUrl: 'http://admin@openim:10002' }, /openImApiUrl: .*no query, fragment or credentials/],
    [{ openImApiUrl: 'http://admin:pa55@openim:10002' }, /openImApiUrl: .*credentials/],
    [{ openImApiUrl: 'http://:pa55@openim:10002' }, /openImApiUrl: .*credentials/],
    [{ reconcileSchedule: 'every day' }, /reconcileSchedule: expected a Scheduler expression/],
    [{ reconcileSchedule: 'rate(1 days)' }, /reconcileSchedule/],
    [{ reconcileCallsPerSecond: '0' }, /reconcileCallsPerSecond: expected a whole number from 1 to 5000/],
    [{ reconcileCallsPerSecond: '2.5' }, /reconcileCallsPerSecond/],
    [
      { reconcileConcurrency: '20', reconcileCallsPerSecond: '10' },
      /reconcileConcurrency: expected at most reconcileCallsPerSecond \(10\)/,
    ],
    [{ reconcileEventsPerSecond: '0' }, /reconcileEventsPerSecond: expected a whole number from 1 to 10000/],
    [{ reconcileEventsPerSecond: 'fast' }, /reconcileEventsPerSecond/],
    [
      { reconcileEventsPerSecond: '3', reconcileConcurrency: '4' },
      /reconcileEventsPerSecond: expected at least reconcileConcurrency \(4\)/,
    ],
    [{ reconcileDriftAlarmThreshold: '0' }, /reconcileDriftAlarmThreshold/],
    [{ reconcileMaxHours: '0' }, /reconcileMaxHours/],
    [{ openImAdminUserID: 'has space' }, /openImAdminUserID: expected 1 to 64 printable/],
    [{ openImAdminSecretArn: 'my-secret' }, /openImAdminSecretArn: expected a Secrets Manager secret ARN/],
    [{ openImVpcId: 'vpc-0123456789abcdef0' }, /openImSubnetIds/],
    [{ openImSubnetIds: 'subnet-0123456789abcdef0' }, /openImSubnetIds: needs -c openImVpcId/],
    [{ openImVpcId: 'my-vpc', openImSubnetIds: 'subnet-0123456789abcdef0' }, /openImVpcId: expected a VPC ID/],
  ])('refuses %o at synth, naming the setting', (context, message) => {
    expect(() => synth(context)).toThrow(message);
  });

  it('never repeats the password of a refused openImApiUrl', () => {
    expect(() => synth({ openImApiUrl: 'http://:pa55@openim:10002' })).toThrow(/openImApiUrl/);
    expect(() => synth({ openImApiUrl: 'http://:pa55@openim:10002' })).not.toThrow(/pa55/);
    expect(() => synth({ openImApiUrl: 'http://admin:pa55@openim:10002' })).not.toThrow(/pa55/);
  });

  it('refuses a reconciler setting without openImApiUrl rather than ignoring it', () => {
    expect(() => synthFromContext({ reconcileCallsPerSecond: '100' })).toThrow(
      /reconcileCallsPerSecond: needs -c openImApiUrl=<OpenIM API URL>, which turns reconciliation on/,
    );
  });
});
