import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { allEventJsonSchemas, snapshotEventJsonSchemas } from '../../functions/contract/event-schema';
import { FriendEvents } from '../../infra/construct/friend-events';
import { FriendGraphSubscriber } from '../../infra/construct/friend-graph-subscriber';
import { FriendEventsStack } from '../../infra/construct/stack';
import { matchesEventPattern, parseEventPattern } from '../../infra/local/event-pattern';
import { nagFindings } from '../helpers/nag';
import { synthStack } from '../helpers/synth';

const subscriberStack = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Subscriber');
  const friendEvents = new FriendEvents(stack, 'FriendEvents');
  return { stack, friendEvents };
};

describe('subscribing from CDK', () => {
  it('onFriendshipCreated makes a rule on the bus for accepted requests and imports from this source', () => {
    const { stack, friendEvents } = subscriberStack();
    friendEvents.onFriendshipCreated(
      'NewFriends',
      new targets.SqsQueue(new sqs.Queue(stack, 'Inbox', { enforceSSL: true })),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('Bus') },
      EventPattern: {
        source: ['openim'],
        'detail-type': ['AfterAddFriendAgree', 'AfterImportFriends'],
        detail: { synthetic: [{ exists: false }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Inbox'), 'Arn'] } })],
    });
  });

  it('onFriendRequest and subscribe take any detail-types', () => {
    const { stack, friendEvents } = subscriberStack();
    const queue = new targets.SqsQueue(new sqs.Queue(stack, 'Inbox', { enforceSSL: true }));
    friendEvents.onFriendRequest('Requests', queue);
    friendEvents.subscribe('Everything', ['AfterAddFriend', 'AfterAddFriendAgree', 'AfterImportFriends'], queue);
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map(
      (rule) => rule.Properties.EventPattern,
    );
    expect(rules).toEqual([
      { source: ['openim'], 'detail-type': ['AfterAddFriend'], detail: { synthetic: [{ exists: false }] } },
      {
        source: ['openim'],
        'detail-type': ['AfterAddFriend', 'AfterAddFriendAgree', 'AfterImportFriends'],
        detail: { synthetic: [{ exists: false }] },
      },
    ]);
  });

  it('every helper leaves test traffic out unless includeSynthetic asks for it', () => {
    const { stack, friendEvents } = subscriberStack();
    const queue = new targets.SqsQueue(new sqs.Queue(stack, 'Inbox', { enforceSSL: true }));
    friendEvents.onUnblocked('Real', queue);
    friendEvents.onUnblocked('All', queue, { includeSynthetic: true });
    friendEvents.subscribe('Everything', ['AfterDeleteFriend'], queue, { includeSynthetic: true });
    expect(friendEvents.eventPattern(['AfterAddFriend'], { includeSynthetic: true })).toEqual({
      source: ['openim'],
      detailType: ['AfterAddFriend'],
    });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map(
      (rule) => rule.Properties.EventPattern,
    );
    expect(rules).toEqual([
      { source: ['openim'], 'detail-type': ['AfterRemoveBlack'], detail: { synthetic: [{ exists: false }] } },
      { source: ['openim'], 'detail-type': ['AfterRemoveBlack'] },
      { source: ['openim'], 'detail-type': ['AfterDeleteFriend'] },
    ]);
  });

  it.each([
    ['onFriendshipEnded', 'AfterDeleteFriend'],
    ['onFriendRemarkChanged', 'AfterSetFriendRemark'],
    ['onUnblocked', 'AfterRemoveBlack'],
  ] as const)('%s makes a rule on the bus for %s from this source', (helper, detailType) => {
    const { stack, friendEvents } = subscriberStack();
    const rule = friendEvents[helper](
      'Changes',
      new targets.SqsQueue(new sqs.Queue(stack, 'Inbox', { enforceSSL: true })),
    );
    expect(rule).toBeInstanceOf(events.Rule);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('Bus') },
      EventPattern: { source: ['openim'], 'detail-type': [detailType], detail: { synthetic: [{ exists: false }] } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Inbox'), 'Arn'] } })],
    });
  });

  it('delivers a snapshot only to the subscriber it is addressed to: the synthesized rules, matched as EventBridge does', () => {
    const { stack, friendEvents } = subscriberStack();
    const inbox = (id: string) => new targets.SqsQueue(new sqs.Queue(stack, id, { enforceSSL: true }));
    friendEvents.onFriendshipCreated('A', inbox('InboxA'), { snapshotsFor: 'service-a' });
    friendEvents.subscribe('B', ['AfterDeleteFriend'], inbox('InboxB'), {
      snapshotsFor: 'service-b',
      includeSynthetic: true,
    });
    friendEvents.onFriendRequest('Plain', inbox('InboxPlain'));
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((rule) => ({
      description: rule.Properties.Description as string,
      pattern: parseEventPattern(JSON.stringify(rule.Properties.EventPattern)),
    }));
    const snapshotFor = (subscriber: string, detailType: string) => ({
      version: '0',
      id: 'id',
      'detail-type': detailType,
      source: 'openim',
      account: '000000000000',
      time: '2026-12-06T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { schemaVersion: 1, snapshot: { id: 'run', for: subscriber } },
    });
    const reached = (subscriber: string, detailType: string) =>
      rules.filter((rule) => matchesEventPattern(rule.pattern, snapshotFor(subscriber, detailType))).length;
    for (const detailType of ['FriendListSnapshot', 'FriendSnapshotCompleted']) {
      expect(rules.map((rule) => matchesEventPattern(rule.pattern, snapshotFor('service-a', detailType)))).toEqual([
        true,
        false,
        false,
      ]);
      expect(rules.map((rule) => matchesEventPattern(rule.pattern, snapshotFor('service-b', detailType)))).toEqual([
        false,
        true,
        false,
      ]);
      expect(reached('someone-else', detailType)).toBe(0);
    }
    expect(rules[0]?.description).toBe(
      'OpenIM friend events: AfterAddFriendAgree, AfterImportFriends; snapshots for service-a',
    );
  });

  it('fails synth naming snapshotsFor when it is not a subscriber name', () => {
    const { stack, friendEvents } = subscriberStack();
    expect(() =>
      friendEvents.onFriendRequest('Bad', new targets.SqsQueue(new sqs.Queue(stack, 'Inbox', { enforceSSL: true })), {
        snapshotsFor: 'my service',
      }),
    ).toThrow(/snapshotsFor must be a subscriber name/);
    expect(Template.fromStack(stack).findResources('AWS::Events::Rule')).toEqual({});
  });

  it('lets other accounts and an organization manage only the rules they create on the bus', () => {
    const { template } = synthStack({
      subscriberAccess: { accounts: ['111111111111'], organizationId: 'o-abc123defg' },
    });
    const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
      (policy) => policy.Properties.Statement,
    );
    expect(policies).toHaveLength(2);
    expect(policies[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', expect.arrayContaining([':iam::111111111111:root'])] } },
      Action: expect.arrayContaining(['events:PutRule', 'events:PutTargets', 'events:DeleteRule']),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM
      Condition: { StringEqualsIfExists: { 'events:creatorAccount': '${aws:PrincipalAccount}' } },
    });
    expect(policies[1]).toMatchObject({
      Principal: { AWS: '*' },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123defg' } },
    });
    expect(JSON.stringify(policies[0].Resource)).toContain(':rule/');
  });

  it('refuses subscriber access on a bus it does not own', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    expect(
      () =>
        new FriendEvents(stack, 'F', {
          eventBus: events.EventBus.fromEventBusName(stack, 'B', 'shared'),
          subscriberAccess: { accounts: ['111111111111'] },
        }),
    ).toThrow(/bus created by this construct/);
  });
});

describe('the schema registry', () => {
  it('holds one JSON Schema (draft-04) per detail-type, the snapshots included, generated from the contract', () => {
    const { template } = synthStack();
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema')).map(
      (schema) => schema.Properties,
    );
    expect(schemas.map((schema) => [schema.SchemaName, schema.Type])).toEqual([
      ['openim@AfterAddFriend', 'JSONSchemaDraft4'],
      ['openim@AfterAddFriendAgree', 'JSONSchemaDraft4'],
      ['openim@AfterImportFriends', 'JSONSchemaDraft4'],
      ['openim@AfterDeleteFriend', 'JSONSchemaDraft4'],
      ['openim@AfterSetFriendRemark', 'JSONSchemaDraft4'],
      ['openim@AfterRemoveBlack', 'JSONSchemaDraft4'],
      ['openim@FriendshipReconciled', 'JSONSchemaDraft4'],
      ['openim@BlacklistReconciled', 'JSONSchemaDraft4'],
      ['openim@FriendListSnapshot', 'JSONSchemaDraft4'],
      ['openim@FriendSnapshotCompleted', 'JSONSchemaDraft4'],
    ]);
    expect(schemas.map((schema) => JSON.parse(schema.Content))).toEqual(
      [...allEventJsonSchemas('openim'), ...snapshotEventJsonSchemas('openim')].map(({ schema }) => schema),
    );
  });
});

describe('the reference subscriber (friend graph)', () => {
  const withGraph = () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new FriendEventsStack(app, 'WithExample', { exampleSubscriber: true });
    return { stack, template: Template.fromStack(stack) };
  };

  it('is deployed behind a flag, subscribed to every friend detail-type (repairs included) and its own snapshots, and passes cdk-nag', () => {
    const { stack, template } = withGraph();
    template.resourceCountIs('AWS::Lambda::Function', 3); // callback, retry drainer, friend graph
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['openim'],
        'detail-type': [
          'AfterAddFriend',
          'AfterAddFriendAgree',
          'AfterImportFriends',
          'AfterDeleteFriend',
          'AfterSetFriendRemark',
          'AfterRemoveBlack',
          'FriendshipReconciled',
          'BlacklistReconciled',
          'FriendListSnapshot',
          'FriendSnapshotCompleted',
        ],
        detail: { synthetic: [{ exists: false }], snapshot: { for: ['friend-graph', { exists: false }] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FriendGraphSubscriber'), 'Arn'] } })],
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('takes test traffic only with includeSynthetic: in its rule and in its function', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'TestStack');
    const friendEvents = new FriendEvents(stack, 'FriendEvents');
    new FriendGraphSubscriber(stack, 'Graph', { friendEvents, includeSynthetic: true });
    const template = Template.fromStack(stack);
    const [pattern] = Object.values(template.findResources('AWS::Events::Rule')).map(
      (rule) => rule.Properties.EventPattern,
    );
    expect(pattern.detail).toEqual({ snapshot: { for: ['friend-graph', { exists: false }] } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ FRIEND_GRAPH_INCLUDE_SYNTHETIC: 'true' }) },
    });
    const { template: deployed } = withGraph();
    const graphFunctions = Object.values(deployed.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.FRIEND_GRAPH_TABLE_NAME,
    );
    expect(graphFunctions).toHaveLength(1);
    expect(graphFunctions[0]?.Properties.Environment.Variables).not.toHaveProperty('FRIEND_GRAPH_INCLUDE_SYNTHETIC');
  });

  it('keeps the graph in one encrypted table with point-in-time recovery, keyed by owner and other user', () => {
    const { template } = withGraph();
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'ownerUserID', KeyType: 'HASH' },
        { AttributeName: 'otherUserID', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ FRIEND_GRAPH_TABLE_NAME: { Ref: Match.stringLikeRegexp('FriendGraphTable') } }),
      },
    });
  });

  it('drops nothing: undeliverable and failed events land in an encrypted queue that alarms', () => {
    const { template } = withGraph();
    const queueRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('FriendGraphFailedEvents'), 'Arn'] };
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: queueRef } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueRef } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('FriendGraphFailedEvents'), 'QueueName'] },
        },
      ],
    });
  });

  it('may only UpdateItem and Query (a snapshot part reads the rows it replaces), and only on its own table', () => {
    const { template } = withGraph();
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const dynamoStatements = statements.filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:'));
    expect(dynamoStatements).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:UpdateItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FriendGraphTable/), 'Arn'] },
      },
    ]);
  });

  it('is absent by default', () => {
    const { template } = synthStack();
    template.resourceCountIs('AWS::Lambda::Function', 2); // callback and retry drainer
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
  });
});
