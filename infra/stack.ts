import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { FriendEvents, type FriendEventsProps } from './friend-events';
import { FriendGraphSubscriber } from './friend-graph-subscriber';

export interface FriendEventsStackProps extends StackProps {
  readonly friendEvents?: FriendEventsProps;
  /** Deploys the reference subscriber: a friend graph in DynamoDB, kept from every friend event. */
  readonly exampleSubscriber?: boolean;
  /** Alarms notify this existing SNS topic (`-c alarmTopic=<arn>`). */
  readonly alarmTopicArn?: string;
}

/** The deployable product: one `FriendEvents` construct and the outputs a user needs. */
export class FriendEventsStack extends Stack {
  readonly friendEvents: FriendEvents;

  constructor(scope: Construct, id: string, props: FriendEventsStackProps = {}) {
    super(scope, id, props);
    const alarmTopic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : props.friendEvents?.alarmTopic;
    this.friendEvents = new FriendEvents(this, 'FriendEvents', {
      ...props.friendEvents,
      ...(alarmTopic ? { alarmTopic } : {}),
    });
    const { eventBus, retryQueue, deadLetterQueue, drainerFunction, tokenSecret } = this.friendEvents;

    new CfnOutput(this, 'CallbackBaseUrl', {
      description: 'OpenIM callback URL without its secret token: append /<token>',
      value: this.friendEvents.callbackBaseUrl,
    });
    new CfnOutput(this, 'CallbackUrlCommand', {
      description: 'Prints the full callback URL to paste into OpenIM (reads the token with your credentials)',
      value: `npm run callback-url -- --stack ${this.stackName}`,
    });
    new CfnOutput(this, 'EventBusName', { value: eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: eventBus.eventBusArn });
    new CfnOutput(this, 'RetryQueueUrl', {
      description: 'Parked events: what the callback function could not publish at once; the drainer publishes them',
      value: retryQueue.queueUrl,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description:
        'Dead-lettered events: parked events that failed for hours or can never be published; npm run redrive moves them back to the retry queue',
      value: deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'DrainerFunctionName', {
      description: 'The retry drainer: publishes parked events from the retry queue, with backoff',
      value: drainerFunction.functionName,
    });
    new CfnOutput(this, 'ArchiveArn', {
      description: 'Replay source: aws events start-replay --event-source-arn <this> ...',
      value: this.friendEvents.archive.archiveArn,
    });
    new CfnOutput(this, 'TokenSecretArn', { value: tokenSecret.secretArn });
    new CfnOutput(this, 'DashboardName', { value: this.friendEvents.dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'SchemaRegistryName', { value: this.friendEvents.schemas.registry.attrRegistryName });

    if (props.exampleSubscriber) {
      const graph = new FriendGraphSubscriber(this, 'FriendGraph', { friendEvents: this.friendEvents });
      new CfnOutput(this, 'FriendGraphTableName', { value: graph.table.tableName });
    }
  }
}
