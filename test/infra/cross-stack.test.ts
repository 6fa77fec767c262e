import { jest } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EventBus, type Rule } from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FriendEvents } from '../../infra/construct/friend-events';
import { FriendGraphSubscriber } from '../../infra/construct/friend-graph-subscriber';
import { FriendEventsStack } from '../../infra/construct/stack';

/** The usual layout: the product's stack, and the user's own stack holding the targets. */
const twoStackApp = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const product = new FriendEventsStack(app, 'OpenImFriendEvents');
  const mine = new Stack(app, 'MyServices');
  return { app, product, friendEvents: product.friendEvents, mine };
};

const welcomeFunction = (scope: Construct, friendEvents: FriendEvents) =>
  // Named as the README names its rule: the rule the helper makes must not meet it.
  new lambda.Function(scope, 'WelcomeNewFriends', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => {};'),
    // A subscriber that also reads the product's stack: the user's stack depends on it.
    environment: { EVENT_BUS_NAME: friendEvents.eventBus.eventBusName },
  });

const rulesOf = (stack: Stack) =>
  Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')) as {
    Properties: { EventBusName: unknown; EventPattern: { 'detail-type': string[] }; Targets: { Arn: unknown }[] };
  }[];

describe('subscribing from your own stack', () => {
  it('every helper puts its rule in the stack of its target (function, queue, state machine, topic), on the product bus, with no dependency cycle', () => {
    const { app, product, friendEvents, mine } = twoStackApp();
    const queue = new sqs.Queue(mine, 'Inbox', { enforceSSL: true });
    const deadLetters = new sqs.Queue(mine, 'DeadLetters', { enforceSSL: true });
    const machine = new sfn.StateMachine(mine, 'Onboarding', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(mine, 'Start')),
    });
    const topic = new sns.Topic(mine, 'Notices', { enforceSSL: true });
    const subscriptions: [string, Rule, string[]][] = [
      [
        'WelcomeNewFriends',
        friendEvents.onFriendshipCreated(
          'WelcomeNewFriends',
          new targets.LambdaFunction(welcomeFunction(mine, friendEvents), { deadLetterQueue: deadLetters }),
        ),
        ['AfterAddFriendAgree', 'AfterImportFriends'],
      ],
      [
        'NotifyRequests',
        friendEvents.onFriendRequest('NotifyRequests', new targets.SqsQueue(queue)),
        ['AfterAddFriend'],
      ],
      [
        'ForgetFriend',
        friendEvents.onFriendshipEnded('ForgetFriend', new targets.SfnStateMachine(machine)),
        ['AfterDeleteFriend'],
      ],
      [
        'SyncRemarks',
        friendEvents.onFriendRemarkChanged('SyncRemarks', new targets.SnsTopic(topic)),
        ['AfterSetFriendRemark'],
      ],
      ['Unblocked', friendEvents.onUnblocked('Unblocked', new targets.SqsQueue(queue)), ['AfterRemoveBlack']],
      [
        'Repairs',
        friendEvents.subscribe('Repairs', ['FriendshipReconciled', 'BlacklistReconciled'], new targets.SqsQueue(queue)),
        ['FriendshipReconciled', 'BlacklistReconciled'],
      ],
    ];

    expect(() => app.synth()).not.toThrow();
    for (const [id, rule] of subscriptions) {
      expect([id, rule.node.path]).toEqual([id, `MyServices/OpenImFriendEvents-FriendEvents/${id}`]);
    }
    expect(rulesOf(product)).toEqual([]);
    const rules = rulesOf(mine);
    expect(rules.map((rule) => rule.Properties.EventPattern['detail-type'])).toEqual(
      subscriptions.map(([, , detailTypes]) => detailTypes),
    );
    for (const rule of rules) {
      expect(rule.Properties.EventBusName).toEqual({
        'Fn::ImportValue': expect.stringMatching(/^OpenImFriendEvents:ExportsOutputRefFriendEventsBus/),
      });
    }
    // The permissions that let the rules deliver sit beside them, in the user's stack.
    const mineTemplate = Template.fromStack(mine);
    mineTemplate.resourceCountIs('AWS::Lambda::Permission', 1);
    mineTemplate.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    expect(mine.dependencies.map((stack) => stack.stackName)).toEqual(['OpenImFriendEvents']);
    expect(product.dependencies).toEqual([]);
  });

  it('names a bus passed in by its name in the moved rule, with no export between the stacks', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const product = new Stack(app, 'OpenImFriendEvents');
    const friendEvents = new FriendEvents(product, 'FriendEvents', {
      eventBus: EventBus.fromEventBusName(product, 'Shared', 'shared-friend-events'),
    });
    const mine = new Stack(app, 'MyServices');
    friendEvents.onFriendRequest('Requests', new targets.SqsQueue(new sqs.Queue(mine, 'Inbox', { enforceSSL: true })));
    app.synth();
    expect(rulesOf(mine).map((rule) => rule.Properties.EventBusName)).toEqual(['shared-friend-events']);
    expect(mine.dependencies).toEqual([]);
    expect(product.dependencies).toEqual([]);
  });

  it('puts the rule in the scope given, whatever the target', () => {
    const { app, friendEvents, mine } = twoStackApp();
    const subscriptions = new Construct(mine, 'Subscriptions');
    const rule = friendEvents.onFriendRequest(
      'Requests',
      { bind: () => ({ arn: 'arn:aws:sqs:eu-west-1:111111111111:elsewhere' }) },
      { scope: subscriptions },
    );
    app.synth();
    expect(rule.node.scope).toBe(subscriptions);
    expect(rulesOf(mine)).toHaveLength(1);
  });

  it('keeps the rule beside the bus when the target has no construct of its own, or one in the same stack', () => {
    const { product, friendEvents } = twoStackApp();
    const byArn = friendEvents.onFriendRequest('ByArn', {
      bind: () => ({ arn: 'arn:aws:sqs:eu-west-1:111111111111:elsewhere' }),
    });
    const beside = friendEvents.onFriendRequest('Beside', new targets.SqsQueue(new sqs.Queue(product, 'Inbox')));
    expect(byArn.node.scope).toBe(friendEvents);
    expect(beside.node.scope).toBe(friendEvents);
  });

  it('keeps the rule beside the bus for a target in another account (the rule forwards it there)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { account: '111111111111', region: 'eu-west-1' };
    const { friendEvents } = new FriendEventsStack(app, 'OpenImFriendEvents', { env });
    const elsewhere = new Stack(app, 'Elsewhere', { env: { ...env, account: '222222222222' } });
    // aws-cdk-lib's cross-account forwarding uses deprecated EventBusPolicy props, and warns of it.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const rule = friendEvents.onFriendRequest('Far', new targets.SqsQueue(new sqs.Queue(elsewhere, 'Inbox')));
    expect(Stack.of(rule).stackName).toBe('OpenImFriendEvents');
    jest.restoreAllMocks();
  });
});

describe('FriendEvents embedded in your own stack', () => {
  const CLI_OUTPUTS = [
    'ArchiveArn',
    'CallbackBaseUrl',
    'CallbackUrlCommand',
    'DashboardName',
    'DeadLetterQueueUrl',
    'DrainerFunctionName',
    'EventBusArn',
    'EventBusName',
    'RetryQueueUrl',
    'SchemaRegistryName',
    'TokenSecretArn',
  ];

  it('gives the stack the outputs the --stack commands read, under the same keys as FriendEventsStack', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const mine = new Stack(app, 'MyServices');
    const friendEvents = new FriendEvents(mine, 'FriendEvents');
    new FriendGraphSubscriber(mine, 'Graph', { friendEvents });
    const outputs = Template.fromStack(mine).findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([...CLI_OUTPUTS, 'FriendGraphTableName'].sort());
    expect(outputs.CallbackUrlCommand?.Value).toBe('npm run callback-url -- --stack MyServices');
    expect(outputs.FriendGraphTableName?.Value).toEqual({ Ref: expect.stringMatching(/^GraphTable/) });
  });

  it('refuses a second FriendEvents with outputs in the same stack, naming the setting; stackOutputs: false leaves them out', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const mine = new Stack(app, 'MyServices');
    new FriendEvents(mine, 'First');
    expect(() => new FriendEvents(mine, 'Second', { eventSource: 'second' })).toThrow(
      /stackOutputs.*MyServices already has the outputs of MyServices\/First/,
    );
    new FriendEvents(mine, 'Third', { eventSource: 'third', stackOutputs: false });
    expect(Object.keys(Template.fromStack(mine).findOutputs('*')).sort()).toEqual(CLI_OUTPUTS);
  });
});
