import { readFileSync } from 'node:fs';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects, CfnResource, Duration, type IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { FriendEvents } from '../../infra/construct/friend-events';
import { openImRequest, sampleBodies } from '../../infra/openim-sender-simulator/openim-request';

/**
 * The product on a real AWS account (`npm run integ`, README): the stack deployed, OpenIM's exact
 * bytes POSTed to its callback URL, and the event asserted where a subscriber gets it, through a
 * rule into an SQS queue. Twice: with EventBridge working, and with the callback function denied
 * PutEvents, where the event must be parked and reach the bus through the retry drainer. Offline,
 * `npm test` compares what this synthesizes with the committed snapshot.
 */
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const app = new App({ context: cdkJson.context });

/** Everything the test deploys goes when it is destroyed: log groups and the secret included. */
const destroyEverything: IAspect = {
  visit: (node: IConstruct) => {
    if (node instanceof CfnResource) node.applyRemovalPolicy(RemovalPolicy.DESTROY);
  },
};

/** The product, and a subscriber's view of the bus: a rule delivering friend requests to a queue. */
const productStack = (id: string, options: { denyCallbackPutEvents: boolean }) => {
  const stack = new Stack(app, id);
  const friendEvents = new FriendEvents(stack, 'FriendEvents');
  const inbox = new sqs.Queue(stack, 'SubscriberInbox', { enforceSSL: true, retentionPeriod: Duration.hours(1) });
  friendEvents.onFriendRequest('SubscriberRule', new targets.SqsQueue(inbox));
  if (options.denyCallbackPutEvents) {
    // An explicit deny wins over the function's own allow: every PutEvents of the callback fails
    // (AccessDeniedException), as when the bus refuses it. The drainer is not denied.
    friendEvents.callbackFunction.addToRolePolicy(
      new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['events:PutEvents'], resources: ['*'] }),
    );
  }
  Aspects.of(stack).add(destroyEverything);
  return { stack, friendEvents, inbox };
};

const healthy = productStack('OpenImFriendEventsInteg', { denyCallbackPutEvents: false });
const denied = productStack('OpenImFriendEventsIntegDenied', { denyCallbackPutEvents: true });

const integ = new IntegTest(app, 'FriendEventsInteg', {
  testCases: [healthy.stack, denied.stack],
  // The committed snapshot holds no assets to deploy first: each run deploys fresh, then destroys.
  stackUpdateWorkflow: false,
});

/** Sends one callback as an OpenIM v3.7+ server does (the bytes of infra/openim-sender-simulator). */
const sendAsOpenIm = (target: ReturnType<typeof productStack>, operationID: string) => {
  const token = integ.assertions
    .awsApiCall('SecretsManager', 'getSecretValue', { SecretId: target.friendEvents.tokenSecret.secretArn })
    .getAttString('SecretString');
  const request = openImRequest(
    'v3.7+',
    `${target.friendEvents.callbackBaseUrl}/${token}`,
    { ...sampleBodies.callbackAfterAddFriendCommand },
    operationID,
  );
  const headers = Object.fromEntries(request.headers.filter(([name]) => name !== 'Content-Length'));
  const call = integ.assertions.httpApiCall(request.url, {
    method: 'POST',
    headers,
    body: request.body.toString('utf8'),
  });
  // OpenIM's reading of the reply: success.
  call.expect(
    ExpectedResult.objectLike({
      status: 200,
      body: { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 },
    }),
  );
  return call;
};

/** Waits until the subscriber's queue holds the event of this callback (EventBridge's envelope around our detail). */
const expectInInbox = (target: ReturnType<typeof productStack>, operationID: string) =>
  integ.assertions
    .awsApiCall('SQS', 'receiveMessage', {
      QueueUrl: target.inbox.queueUrl,
      WaitTimeSeconds: 20,
      MaxNumberOfMessages: 1,
    })
    .assertAtPath(
      'Messages.0.Body',
      ExpectedResult.stringLikeRegexp(`"detail-type":"AfterAddFriend".*"operationID":"${operationID}"`),
    )
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });

sendAsOpenIm(healthy, 'integ-published').next(expectInInbox(healthy, 'integ-published'));

// Denied: the callback still answers success, parks the event, and the drainer publishes it.
const callbackLogGroup = (denied.friendEvents.callbackFunction as lambda.Function).logGroup.logGroupName;
sendAsOpenIm(denied, 'integ-parked')
  .next(expectInInbox(denied, 'integ-parked'))
  .next(
    integ.assertions
      .awsApiCall('CloudWatchLogs', 'filterLogEvents', {
        logGroupName: callbackLogGroup,
        filterPattern: '{ $.outcome = "parked" && $.operationID = "integ-parked" }',
      })
      .assertAtPath('events.0.message', ExpectedResult.stringLikeRegexp('AccessDenied'))
      .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) }),
  );

app.synth();
