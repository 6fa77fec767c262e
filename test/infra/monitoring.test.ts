import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { METRIC } from '../../functions/contract/metrics';
import { FriendEvents } from '../../infra/construct/friend-events';
import { FUNCTION_4XX_ERR_CODES } from '../../infra/construct/friend-events-alarms';
import { synthStack } from '../helpers/synth';

/** Alarms and the dashboard of the default stack (stack.test.ts: the rest of it). */
const { template } = synthStack();
const resources = (type: string) =>
  Object.values(template.findResources(type)) as { Properties: Record<string, any> }[];

describe('alarms', () => {
  type AlarmProperties = Record<string, any>;
  const alarmsOf = (of = template) =>
    Object.entries(of.findResources('AWS::CloudWatch::Alarm')).map(
      ([id, alarm]) =>
        [id.replace(/^FriendEventsAlarms|[0-9A-F]{8}$/g, ''), alarm.Properties as AlarmProperties] as const,
    );
  const alarm = (name: string) => {
    const found = alarmsOf().find(([id]) => id === name);
    if (!found) throw new Error(`no alarm ${name}`);
    return found[1];
  };
  const callbackRef = { Ref: expect.stringMatching(/CallbackFunction/) };
  const drainerRef = { Ref: expect.stringMatching(/RetryDrainerFunction/) };
  const stageDimensions = [
    { Name: 'ApiId', Value: { Ref: expect.stringMatching(/Api/) } },
    { Name: 'Stage', Value: '$default' },
  ];

  it('are the ten that say an event is at risk or lost', () => {
    expect(
      alarmsOf()
        .map(([id]) => id)
        .sort(),
    ).toEqual(
      [
        'ApiClientErrors',
        'ApiServerErrors',
        'CallbackErrors',
        'CallbackThrottles',
        'CircuitOpened',
        'DrainerErrors',
        'DrainerThrottles',
        'EventsDeadLettered',
        'EventsLost',
        'ParkedEventsWaiting',
      ].sort(),
    );
  });

  it('watch the queues, the functions and the API stage by their real metrics and dimensions', () => {
    const watched = (name: string) => {
      const { Namespace, MetricName, Dimensions, Statistic, Period } = alarm(name);
      return { Namespace, MetricName, Dimensions, Statistic, Period };
    };
    expect(watched('EventsDeadLettered')).toEqual({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Period: 60,
    });
    expect(watched('ParkedEventsWaiting')).toEqual({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/RetryQueue/), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
    });
    expect(alarm('ParkedEventsWaiting').Threshold).toBe(15 * 60);
    const emitted = [{ Name: 'service', Value: 'openim-friend-events' }];
    expect(watched('CircuitOpened')).toEqual({
      Namespace: 'OpenImFriendEvents',
      MetricName: METRIC.circuitOpened,
      Dimensions: emitted,
      Statistic: 'Sum',
      Period: 300,
    });
    expect(watched('EventsLost')).toEqual({
      Namespace: 'OpenImFriendEvents',
      MetricName: METRIC.lost,
      Dimensions: emitted,
      Statistic: 'Sum',
      Period: 60,
    });
    for (const [name, metricName, fn] of [
      ['CallbackErrors', 'Errors', callbackRef],
      ['CallbackThrottles', 'Throttles', callbackRef],
      ['DrainerErrors', 'Errors', drainerRef],
      ['DrainerThrottles', 'Throttles', drainerRef],
    ] as const) {
      expect(watched(name)).toEqual({
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Sum',
        Period: 60,
      });
    }
    expect(watched('ApiServerErrors')).toEqual({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: stageDimensions,
      Statistic: 'Sum',
      Period: 60,
    });
  });

  it("count API Gateway's own 4xx replies: the stage's 4xx minus the function's own 4xx refusals", () => {
    const { Metrics: metrics } = alarm('ApiClientErrors');
    const [expression, ...inputs] = metrics;
    expect(expression).toMatchObject({ ReturnData: true });
    expect(expression.Expression).toBe(
      `FILL(api4xx, 0) - (${FUNCTION_4XX_ERR_CODES.map((code) => `FILL(refused${code}, 0)`).join(' + ')})`,
    );
    expect(inputs).toHaveLength(10); // CloudWatch's limit for one alarm
    expect(inputs[0]).toEqual({
      Id: 'api4xx',
      MetricStat: {
        Metric: { Namespace: 'AWS/ApiGateway', MetricName: '4xx', Dimensions: stageDimensions },
        Period: 300,
        Stat: 'Sum',
      },
      ReturnData: false,
    });
    expect(inputs.slice(1).map((input: any) => input.MetricStat.Metric)).toEqual(
      FUNCTION_4XX_ERR_CODES.map((code) => ({
        Namespace: 'OpenImFriendEvents',
        MetricName: METRIC.rejected,
        Dimensions: expect.arrayContaining([
          { Name: 'service', Value: 'openim-friend-events' },
          { Name: 'errCode', Value: String(code) },
        ]),
      })),
    );
  });

  it('say in their description what happened and what to do', () => {
    expect(alarm('EventsDeadLettered').AlarmDescription).toMatch(/dead-lettered.*npm run redrive/s);
    expect(alarm('EventsDeadLettered').AlarmDescription).toMatch(/can never be published.*"outcome":"dead-lettered"/s);
    expect(alarm('ParkedEventsWaiting').AlarmDescription).toMatch(/not reaching the bus.*drainer/s);
    expect(alarm('CircuitOpened').AlarmDescription).toMatch(/EventBridge kept failing/);
    expect(alarm('ApiClientErrors').AlarmDescription).toMatch(/Too Many Requests.*reads such a JSON body as success/s);
    expect(alarm('ApiServerErrors').AlarmDescription).toMatch(/reads as success, so the callback is lost/);
    for (const [, properties] of alarmsOf()) expect(properties.AlarmDescription).toMatch(/\. [A-Z].*\.$/s);
  });

  it('fire on the first occurrence and treat missing data as fine', () => {
    for (const [id, properties] of alarmsOf()) {
      expect(properties).toMatchObject({
        Threshold: id === 'ParkedEventsWaiting' ? 900 : 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('notify an email address through a TLS-only topic when one is given', () => {
    const { template: withEmail } = synthStack({ alarmEmail: 'ops@example.com' });
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    withEmail.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const actions = alarmsOf(withEmail).map(([, properties]) => properties.AlarmActions);
    expect(actions).toHaveLength(10);
    for (const action of actions) expect(action).toEqual([{ Ref: expect.stringMatching(/Topic/) }]);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const [, properties] of alarmsOf()) expect(properties.AlarmActions).toBeUndefined();
  });

  it('notify a topic passed in, and create none', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const host = new Stack(app, 'Host');
    const topic = sns.Topic.fromTopicArn(host, 'Ops', 'arn:aws:sns:eu-west-1:111111111111:ops');
    new FriendEvents(host, 'FriendEvents', { alarmTopic: topic });
    const custom = Template.fromStack(host);
    custom.resourceCountIs('AWS::SNS::Topic', 0);
    const actions = Object.values(custom.findResources('AWS::CloudWatch::Alarm')).map(
      (resource) => resource.Properties.AlarmActions,
    );
    expect(actions).toHaveLength(10);
    for (const action of actions) expect(action).toEqual([topic.topicArn]);
  });
});

describe('the dashboard', () => {
  it('shows the flows (published, parked, redriven, unpublishable, lost), the breaker, both queues, the API replies and both functions', () => {
    const [dashboard] = resources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const metricName of [
      METRIC.published,
      METRIC.parked,
      METRIC.redriven,
      METRIC.redriveFailed,
      METRIC.unpublishable,
      METRIC.lost,
      METRIC.circuitOpened,
      METRIC.circuitClosed,
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateAgeOfOldestMessage',
      '4xx',
      '5xx',
      'Errors',
      'Throttles',
      'Duration',
    ]) {
      expect(body).toContain(`\\"${metricName}\\"`);
    }
    for (const logicalId of [/RetryQueue/, /DeadLetterQueue/, /CallbackFunction/, /RetryDrainerFunction/]) {
      expect(body).toMatch(logicalId);
    }
  });
});
