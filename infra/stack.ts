import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BundledFunction, functionEntry } from './bundled-function';
import { FriendEvents, type FriendEventsProps } from './friend-events';

export interface FriendEventsStackProps extends StackProps {
  readonly friendEvents?: FriendEventsProps;
  /** Deploys the example subscriber (logs new friendships), subscribed with `onFriendshipCreated`. */
  readonly exampleSubscriber?: boolean;
}

/** The deployable product: one `FriendEvents` construct and the outputs a user needs. */
export class FriendEventsStack extends Stack {
  readonly friendEvents: FriendEvents;

  constructor(scope: Construct, id: string, props: FriendEventsStackProps = {}) {
    super(scope, id, props);
    this.friendEvents = new FriendEvents(this, 'FriendEvents', props.friendEvents);
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
        'Dead-lettered events: parked events that failed for hours; npm run redrive moves them back to the retry queue',
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
      const subscriber = new BundledFunction(this, 'ExampleSubscriber', {
        entry: functionEntry('example-subscriber/handler.ts'),
        description: 'openim-friend-events example subscriber: logs new friendships',
        runtime: lambda.Runtime.NODEJS_22_X,
        memorySize: 256,
        timeout: Duration.seconds(10),
        logRetention: logs.RetentionDays.ONE_WEEK,
        environment: {},
      });
      this.friendEvents.onFriendshipCreated('ExampleSubscriberRule', new targets.LambdaFunction(subscriber.function));
    }
  }
}
