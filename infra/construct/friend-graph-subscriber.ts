import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENTRY_POINTS, FRIEND_GRAPH_KEY, FRIEND_GRAPH_SUBSCRIBER } from '../../functions/contract/deployment';
import { FRIEND_DETAIL_TYPES } from '../../functions/contract/events';
import { BundledFunction, functionEntry } from './bundled-function';
import { addCliOutputs, checkCliOutputsFree } from './cli-outputs';
import type { FriendEvents } from './friend-events';
import { acknowledgeFindings } from './nag-acknowledgements';

export interface FriendGraphSubscriberProps {
  readonly friendEvents: FriendEvents;
  /**
   * Also apply test traffic (`npm run send`'s events, `synthetic: true`): for a test stack whose
   * graph should show smoke tests. @default false (the rule leaves them out, and the function skips
   * any that reach it)
   */
  readonly includeSynthetic?: boolean;
  /**
   * Give the stack the output `npm run graph -- --stack` reads (`FriendGraphTableName`). One
   * FriendGraphSubscriber per stack can have it. @default true
   */
  readonly stackOutputs?: boolean;
}

/**
 * The reference subscriber (`-c exampleSubscriber=true`): a function subscribed to every friend
 * event, and to the snapshots addressed to `friend-graph`, that keeps a friend graph in its own
 * DynamoDB table (encrypted, point-in-time recovery), allowed nothing but UpdateItem and Query on
 * that table.
 */
export class FriendGraphSubscriber extends Construct {
  readonly table: dynamodb.Table;
  readonly function: lambda.IFunction;
  readonly rule: events.Rule;
  /** Events the subscriber could not apply, kept for 14 days. */
  readonly failedEvents: sqs.Queue;
  readonly failedEventsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FriendGraphSubscriberProps) {
    super(scope, id);
    const stackOutputs = props.stackOutputs ?? true;
    if (stackOutputs) checkCliOutputsFree(this, ['FriendGraphTableName'], 'FriendGraphSubscriber');
    this.table = new dynamodb.Table(this, 'Table', {
      removalPolicy: props.friendEvents.dataRemovalPolicy,
      partitionKey: { name: FRIEND_GRAPH_KEY.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: FRIEND_GRAPH_KEY.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    const subscriber = new BundledFunction(this, 'Subscriber', {
      entry: functionEntry(ENTRY_POINTS.friendGraph),
      description: 'openim-friend-events reference subscriber: a friend graph in DynamoDB',
      memorySize: 256,
      // An import part can hold thousands of IDs, two conditional writes each.
      timeout: Duration.minutes(2),
      logRetention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: props.friendEvents.dataRemovalPolicy,
      environment: {
        FRIEND_GRAPH_TABLE_NAME: this.table.tableName,
        ...(props.includeSynthetic ? { FRIEND_GRAPH_INCLUDE_SYNTHETIC: 'true' } : {}),
      },
    });
    // Query: a snapshot part says which pairs of an owner are not friends by leaving them out, so
    // applying it reads the owner's stored rows in the part's range.
    subscriber.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:Query'], resources: [this.table.tableArn] }),
    );
    this.function = subscriber.function;

    // Nothing is dropped here either: an event EventBridge could not deliver, or that still failed
    // after Lambda's own retries, lands in this queue (with its full payload), which alarms.
    this.failedEvents = new sqs.Queue(this, 'FailedEvents', {
      removalPolicy: props.friendEvents.dataRemovalPolicy,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeFindings(this.failedEvents, 'AwsSolutions-SQS3');
    subscriber.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.failedEvents),
      retryAttempts: 2,
    });
    this.rule = props.friendEvents.subscribe(
      'FriendGraphRule',
      FRIEND_DETAIL_TYPES,
      new targets.LambdaFunction(subscriber.function, { deadLetterQueue: this.failedEvents }),
      { includeSynthetic: props.includeSynthetic ?? false, snapshotsFor: FRIEND_GRAPH_SUBSCRIBER },
    );
    this.failedEventsAlarm = new cloudwatch.Alarm(this, 'FailedEventsAlarm', {
      alarmDescription:
        'The friend-graph subscriber could not apply events: they wait in its failed-events queue (full payload). Fix the cause, then send them again (aws events put-events, or a replay from the archive).',
      metric: this.failedEvents.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const topic = props.friendEvents.alarms.topic;
    if (topic) this.failedEventsAlarm.addAlarmAction(new actions.SnsAction(topic));
    if (stackOutputs) addCliOutputs(this, { FriendGraphTableName: { value: this.table.tableName } });
  }
}
