import { ArnFormat, type CfnElement, Duration, type RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  ADMIN_SECRET_PLACEHOLDER,
  ENTRY_POINTS,
  LEGACY_TOKEN_KEY_PREFIX,
  NO_ADMIN_TOKEN,
  RECONCILER_KEY,
  RECONCILER_TTL_ATTRIBUTE,
} from '../../functions/contract/deployment';
import { RECONCILED_DETAIL_TYPES } from '../../functions/contract/events';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contract/metrics';
import { BundledFunction, DEFAULT_RUNTIME, functionEntry } from './bundled-function';
import type { FriendEvents } from './friend-events';
import { acknowledgeDistributedMapChildren, acknowledgeFindings, acknowledgeSituated } from './nag-acknowledgements';
import { sweepDefinition } from './reconciler-definition';
import { ReconcilerMonitoring } from './reconciler-monitoring';
import { type ReconcilerOptions, type ReconcilerSettings, resolveReconcilerSettings } from './reconciler-settings';

/**
 * What reads or replaces the token secret's value. Not UpdateSecret: CloudFormation calls it with
 * the deployer's role when the secret's description changes, and a deploy must keep working;
 * describing or deleting the secret stays with the account's admins.
 */
const TOKEN_VALUE_ACTIONS = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:BatchGetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:RotateSecret',
];

export interface ReconcilerProps extends ReconcilerOptions {
  friendEvents: FriendEvents;
  /** The friend graph the sweep compares OpenIM's lists with. */
  graphTable: dynamodb.ITable;
  /** @default DEFAULT_RUNTIME (Node.js 24) */
  runtime?: lambda.Runtime;
}

/**
 * Reconciliation with OpenIM: a scheduled Step Functions sweep (Distributed Map over pages of
 * OpenIM's users, then over segments of the graph for users OpenIM no longer lists) that
 * publishes a repair event for every difference between OpenIM's friend and black lists and the
 * friend graph. Its own table keeps the lock, the sweep records and each user's mirror; the admin
 * secret is in Secrets Manager, and so is the admin token between sweeps, in a secret only the
 * reconciler's plan and worker roles may read or write. Least privilege throughout.
 */
export class Reconciler extends Construct {
  readonly settings: ReconcilerSettings;
  readonly table: dynamodb.Table;
  readonly adminSecret: secretsmanager.ISecret;
  /** OpenIM's admin token between sweeps (full OpenIM admin): sealed to the plan and worker roles. */
  readonly tokenSecret: secretsmanager.Secret;
  readonly planFunction: lambda.IFunction;
  readonly workerFunction: lambda.IFunction;
  readonly finishFunction: lambda.IFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.Schedule;
  readonly monitoring: ReconcilerMonitoring;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const settings = resolveReconcilerSettings(props);
    this.settings = settings;
    this.table = new dynamodb.Table(this, 'Table', {
      removalPolicy: props.friendEvents.dataRemovalPolicy,
      partitionKey: { name: RECONCILER_KEY.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: RECONCILER_KEY.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: RECONCILER_TTL_ATTRIBUTE,
    });
    this.adminSecret = props.adminSecret ?? this.adminSecretToFill();
    this.tokenSecret = new secretsmanager.Secret(this, 'AdminToken', {
      description: "OpenIM's admin token, kept by the reconciler between sweeps (written on each login)",
      secretStringValue: SecretValue.unsafePlainText(NO_ADMIN_TOKEN),
    });
    acknowledgeSituated(this.tokenSecret, 'tokenSecretRotation');

    const { friendEvents } = props;
    const environment = {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      RECONCILER_TABLE_NAME: this.table.tableName,
      OPENIM_API_URL: settings.openImApiUrl,
      OPENIM_ADMIN_USER_ID: settings.adminUserID,
      // The secret's ARN, never its value: read only when a login is needed.
      OPENIM_ADMIN_SECRET_ID: this.adminSecret.secretArn,
      OPENIM_TOKEN_SECRET_ID: this.tokenSecret.secretArn,
      RECONCILE_CALLS_PER_SECOND: String(settings.callsPerSecond),
      RECONCILE_EVENTS_PER_SECOND: String(settings.eventsPerSecond),
      RECONCILE_CONCURRENCY: String(settings.concurrency),
      RECONCILE_MAX_HOURS: String(settings.maxHours),
    };
    const network = this.network(props);
    // Plan and worker call OpenIM (in its network when one is given); finish does not.
    const fn = (name: string, entry: string, timeout: Duration, memorySize: number, extra?: Record<string, string>) =>
      new BundledFunction(this, name, {
        entry: functionEntry(entry),
        description: `openim-friend-events reconciler: ${name.toLowerCase()}`,
        runtime: props.runtime ?? DEFAULT_RUNTIME,
        memorySize,
        timeout,
        logRetention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: props.friendEvents.dataRemovalPolicy,
        environment: { ...environment, ...extra },
        ...(network && name !== 'Finish' ? { network } : {}),
      });
    const plan = fn('Plan', ENTRY_POINTS.reconcilePlan, Duration.minutes(1), 256);
    const worker = fn('Worker', ENTRY_POINTS.reconcileWorker, Duration.minutes(15), 1024, {
      FRIEND_GRAPH_TABLE_NAME: props.graphTable.tableName,
      EVENT_BUS_NAME: friendEvents.eventBus.eventBusName,
      EVENT_SOURCE: friendEvents.eventSource,
      DEAD_LETTER_QUEUE_URL: friendEvents.deadLetterQueue.queueUrl,
    });
    // Finish publishes a snapshot's FriendSnapshotCompleted once every part is on the bus.
    const finish = fn('Finish', ENTRY_POINTS.reconcileFinish, Duration.minutes(1), 256, {
      EVENT_BUS_NAME: friendEvents.eventBus.eventBusName,
      EVENT_SOURCE: friendEvents.eventSource,
    });
    this.planFunction = plan.function;
    this.workerFunction = worker.function;
    this.finishFunction = finish.function;

    const tableActions = (role: iam.IRole, actions: string[]) =>
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.table.tableArn] }));
    // Lock, sweep record.
    tableActions(plan.role, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    // Checkpoints, mirrors (in batches; chunks of large lists by Query).
    tableActions(worker.role, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
    ]);
    // Summary (the parts' counters by Query), lock release.
    tableActions(finish.role, ['dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:DeleteItem']);
    worker.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:Scan'], resources: [props.graphTable.tableArn] }),
    );
    worker.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [friendEvents.eventBus.eventBusArn],
        conditions: {
          StringEquals: {
            'events:source': friendEvents.eventSource,
            'events:detail-type': [...RECONCILED_DETAIL_TYPES, 'FriendListSnapshot'],
          },
        },
      }),
    );
    finish.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [friendEvents.eventBus.eventBusArn],
        conditions: {
          StringEquals: { 'events:source': friendEvents.eventSource, 'events:detail-type': 'FriendSnapshotCompleted' },
        },
      }),
    );
    // A repair EventBridge refuses for good is set aside where the retry path's are.
    worker.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [friendEvents.deadLetterQueue.queueArn] }),
    );
    this.adminSecret.grantRead(plan.role);
    this.adminSecret.grantRead(worker.role);
    this.sealToken([plan.role, worker.role]);

    this.stateMachine = this.sweepStateMachine(settings, props.friendEvents.dataRemovalPolicy);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Reconciles the friend graph with OpenIM (openim-friend-events)',
      schedule: scheduler.ScheduleExpression.expression(settings.schedule),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
      }),
    });
    this.monitoring = new ReconcilerMonitoring(this, 'Monitoring', {
      stateMachine: this.stateMachine,
      functions: [plan.function, worker.function, finish.function],
      driftAlarmThreshold: settings.driftAlarmThreshold,
      topic: friendEvents.alarms.topic,
      dashboard: friendEvents.dashboard.dashboard,
    });
  }

  private sweepStateMachine(settings: ReconcilerSettings, removalPolicy: RemovalPolicy): sfn.StateMachine {
    const definition = sweepDefinition({
      planFunction: this.planFunction.functionArn,
      workerFunction: this.workerFunction.functionArn,
      finishFunction: this.finishFunction.functionArn,
      concurrency: settings.concurrency,
      timeoutSeconds: settings.maxHours * 3600,
    });
    const stateMachine = new sfn.StateMachine(this, 'Sweep', {
      comment: definition.Comment,
      definitionBody: sfn.DefinitionBody.fromString(Stack.of(this).toJsonString(definition)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      logs: {
        destination: new logs.LogGroup(this, 'SweepLogs', {
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    // The functions themselves, not `<arn>:*` (versions and aliases) as grantInvoke would add.
    stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.planFunction, this.workerFunction, this.finishFunction].map((fn) => fn.functionArn),
      }),
    );
    // A Distributed Map starts child executions of this state machine and follows them. A policy of
    // its own: in the state machine's role policy, its own ARN would be a circular reference.
    const name = stateMachine.stateMachineName;
    const distributedMapPolicy = new iam.Policy(this, 'DistributedMapPolicy', {
      roles: [stateMachine.role],
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [
            Stack.of(this).formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${name}/*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    acknowledgeFindings(stateMachine, 'AwsSolutions-SF2');
    acknowledgeSituated(stateMachine.role, 'stateMachineLogDelivery');
    const stateMachineId = Stack.of(this).getLogicalId(stateMachine.node.defaultChild as CfnElement);
    acknowledgeDistributedMapChildren(distributedMapPolicy, stateMachineId);
    return stateMachine;
  }

  /**
   * Only the roles that log in may read or write the admin token: they are granted it, and the
   * secret's resource policy denies every other principal of the account (a read-only role, an
   * operator's) reading or writing its value, whatever their IAM policies allow. They may also
   * delete the plain-text token item of earlier versions from the table, and no other item.
   */
  private sealToken(roles: iam.IRole[]): void {
    for (const role of roles) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
          resources: [this.tokenSecret.secretArn],
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:DeleteItem'],
          resources: [this.table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${LEGACY_TOKEN_KEY_PREFIX}*`] } },
        }),
      );
    }
    this.tokenSecret.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheReconcilerReadsOrWritesTheToken',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: TOKEN_VALUE_ACTIONS,
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': roles.map((role) => role.roleArn) } },
      }),
    );
  }

  /** A secret the user fills with share.yml's `secret`; until then a sweep fails saying so. */
  private adminSecretToFill(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'AdminSecret', {
      description: "OpenIM's admin secret (share.yml `secret`) for the reconciler: put it here",
      secretStringValue: SecretValue.unsafePlainText(ADMIN_SECRET_PLACEHOLDER),
    });
    acknowledgeFindings(secret, 'AwsSolutions-SMG4');
    return secret;
  }

  /** The functions that call OpenIM in the given subnets, with a security group that may only go out. */
  private network(props: ReconcilerProps) {
    if (!props.vpc) return undefined;
    const securityGroups = props.vpc.securityGroups ?? [
      new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc.vpc,
        description: 'openim-friend-events reconciler: out to OpenIM and AWS APIs only',
        allowAllOutbound: true,
      }),
    ];
    return { vpc: props.vpc.vpc, vpcSubnets: { subnets: props.vpc.subnets }, securityGroups };
  }
}
