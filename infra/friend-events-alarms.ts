import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/contract/metrics';

export interface FriendEventsAlarmsProps {
  callbackFunction: lambda.IFunction;
  deadLetterQueue: sqs.IQueue;
  topic?: sns.ITopic;
  email?: string;
}

/** A metric the function emits through Powertools (namespace and `service` dimension). */
export const functionMetric = (metricName: string, props: cloudwatch.MetricOptions = {}) =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(1),
    ...props,
  });

/**
 * The alarms that say an event is at risk, each with the action in the README's runbook:
 * events parked in the dead-letter queue, events lost, function errors, function throttles.
 */
export class FriendEventsAlarms extends Construct {
  readonly topic: sns.ITopic | undefined;
  readonly deadLetters: cloudwatch.Alarm;
  readonly eventsLost: cloudwatch.Alarm;
  readonly functionErrors: cloudwatch.Alarm;
  readonly functionThrottles: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FriendEventsAlarmsProps) {
    super(scope, id);
    this.topic = props.topic ?? (props.email ? new sns.Topic(this, 'Topic', { enforceSSL: true }) : undefined);
    if (props.email && this.topic) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    const oneOrMore = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      ...oneOrMore,
      alarmDescription: 'Events are parked in the dead-letter queue: fix the cause, then npm run redrive.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
    });
    this.eventsLost = new cloudwatch.Alarm(this, 'EventsLost', {
      ...oneOrMore,
      alarmDescription:
        'Events were neither published nor parked (reply 25001): recover them from the function logs ("outcome":"lost").',
      metric: functionMetric(METRIC.lost),
    });
    this.functionErrors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      ...oneOrMore,
      alarmDescription: 'The callback function crashed or timed out: OpenIM got no reply it can read.',
      metric: props.callbackFunction.metricErrors({ period: Duration.minutes(1) }),
    });
    this.functionThrottles = new cloudwatch.Alarm(this, 'FunctionThrottles', {
      ...oneOrMore,
      alarmDescription: 'Lambda throttled the callback function: callbacks were refused. Raise its concurrency.',
      metric: props.callbackFunction.metricThrottles({ period: Duration.minutes(1) }),
    });

    if (this.topic) {
      const action = new actions.SnsAction(this.topic);
      for (const alarm of [this.deadLetters, this.eventsLost, this.functionErrors, this.functionThrottles]) {
        alarm.addAlarmAction(action);
      }
    }
  }
}
