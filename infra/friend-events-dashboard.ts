import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ERR_CODE_DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/contract/metrics';
import { functionMetric } from './friend-events-alarms';

export interface FriendEventsDashboardProps {
  callbackFunction: lambda.IFunction;
  deadLetterQueue: sqs.IQueue;
}

/** One screen that says whether callbacks arrive, get in, and reach the bus. */
export class FriendEventsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: FriendEventsDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(1);
    const rejectedByErrCode = new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${ERR_CODE_DIMENSION},service} MetricName="${METRIC.rejected}" service="${SERVICE_NAME}"', 'Sum', 60)`,
      label: 'errCode',
      period,
    });
    const coldStarts = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'ColdStart', // written by Powertools (captureColdStartMetric)
      dimensionsMap: { service: SERVICE_NAME, function_name: props.callbackFunction.functionName },
      statistic: cloudwatch.Stats.SUM,
      period,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Callbacks accepted and rejected (per minute)',
            left: [functionMetric(METRIC.accepted, { label: 'accepted' })],
            right: [rejectedByErrCode],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Rejected callbacks by errCode',
            left: [rejectedByErrCode],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Publish latency (ms)',
            left: [
              functionMetric(METRIC.publishLatency, { statistic: 'p50', label: 'p50' }),
              functionMetric(METRIC.publishLatency, { statistic: 'p99', label: 'p99' }),
              functionMetric(METRIC.publishLatency, { statistic: cloudwatch.Stats.MAXIMUM, label: 'max' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Events published, retried, dead-lettered, lost',
            left: [
              functionMetric(METRIC.published, { label: 'published' }),
              functionMetric(METRIC.retried, { label: 'publish retries' }),
            ],
            right: [
              functionMetric(METRIC.deadLettered, { label: 'dead-lettered' }),
              functionMetric(METRIC.lost, { label: 'lost (25001)' }),
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, label: 'waiting in the queue' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function duration (ms) and cold starts',
            left: [
              props.callbackFunction.metricDuration({ statistic: 'p50', period, label: 'p50' }),
              props.callbackFunction.metricDuration({ statistic: 'p99', period, label: 'p99' }),
            ],
            right: [
              coldStarts.with({ label: 'cold starts' }),
              props.callbackFunction.metricErrors({ period, label: 'errors' }),
            ],
            width: 8,
          }),
        ],
      ],
    });
  }
}
