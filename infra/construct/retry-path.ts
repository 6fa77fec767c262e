import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENTRY_POINTS } from '../../functions/contract/deployment';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contract/metrics';
import { BundledFunction, functionEntry } from './bundled-function';
import { acknowledgeFindings } from './nag-acknowledgements';

/**
 * The retry path of `FriendEvents`: the retry queue the callback function parks events in, the
 * final dead-letter queue behind it, and the drainer that publishes parked events with backoff.
 * Created in `scope` itself, so their resources keep the ids they have in `FriendEvents`.
 */

/** The drainer's timeout: one batch of 10 is one PutEvents call and a few SQS calls. */
const DRAINER_TIMEOUT = Duration.seconds(30);

export interface RetryQueues {
  /** Parked events: the callback function sends here what it could not publish at once. */
  retryQueue: sqs.Queue;
  /** Dead-lettered events: parked events that failed `retryMaxReceiveCount` times, or can never be published. */
  deadLetterQueue: sqs.Queue;
}

export const createRetryQueues = (
  scope: Construct,
  props: { removalPolicy: RemovalPolicy; retryMaxReceiveCount: number },
): RetryQueues => {
  const { removalPolicy } = props;
  // Both keep 14 days, the most SQS allows. A dead-lettered message keeps its first enqueue
  // time, so it has 14 days minus the hours it spent parked. No maximum message size: SQS
  // allows 1 MiB since 2026-01-29, and a queue whose template sets a lower one keeps it.
  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
    removalPolicy,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeFindings(deadLetterQueue, 'AwsSolutions-SQS3');
  const retryQueue = new sqs.Queue(scope, 'RetryQueue', {
    removalPolicy,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    // AWS recommends six times the function timeout for a Lambda event source: room for Lambda
    // to retry a throttled batch before its messages become visible again.
    visibilityTimeout: Duration.seconds(6 * DRAINER_TIMEOUT.toSeconds()),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.retryMaxReceiveCount },
  });
  return { retryQueue, deadLetterQueue };
};

export interface RetryDrainerProps extends RetryQueues {
  runtime: lambda.Runtime;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  sourceMaps: boolean;
  /** Most drainer instances at once, so a recovering bus is not hammered. */
  maxConcurrency: number;
  /** PutEvents on the bus, limited to the callbacks' source and detail-types. */
  putEvents: iam.PolicyStatement;
}

export const createRetryDrainer = (scope: Construct, props: RetryDrainerProps): BundledFunction => {
  const drainer = new BundledFunction(scope, 'RetryDrainer', {
    entry: functionEntry(ENTRY_POINTS.retryDrainer),
    description: 'Publishes parked OpenIM friend events from the retry queue (openim-friend-events)',
    runtime: props.runtime,
    memorySize: 256,
    timeout: DRAINER_TIMEOUT,
    logRetention: props.logRetention,
    removalPolicy: props.removalPolicy,
    sourceMaps: props.sourceMaps,
    environment: {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      RETRY_QUEUE_URL: props.retryQueue.queueUrl,
      // Where an entry that can never be published goes at once, instead of failing for hours.
      DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
    },
  });
  drainer.role.addToPolicy(props.putEvents);
  // Written out rather than `SqsEventSource`, whose grant adds sqs:GetQueueUrl, which nothing
  // here calls. GetQueueAttributes is checked by the event source mapping itself.
  drainer.role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      resources: [props.retryQueue.queueArn],
    }),
  );
  drainer.role.addToPolicy(
    new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
  );
  drainer.function.addEventSourceMapping('RetryQueueSource', {
    eventSourceArn: props.retryQueue.queueArn,
    batchSize: 10,
    // The drainer hides each failed message for its backoff and reports only those as failed.
    reportBatchItemFailures: true,
    maxConcurrency: props.maxConcurrency,
  });
  return drainer;
};
