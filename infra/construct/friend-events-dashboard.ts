import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ERR_CODE_DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contract/metrics';
import { functionMetric } from './friend-events-alarms';

export interface FriendEventsDashboardProps {
  callbackFunction: lambda.IFunction;
  drainerFunction: lambda.IFunction;
  /** Parked events. */
  retryQueue: sqs.IQueue;
  /** Dead-lettered events. */
  deadLetterQueue: sqs.IQueue;
  httpStage: apigwv2.IHttpStage;
}

/** One screen that says whether callbacks arrive, get in, and reach the bus, at once or later. */
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
    const maximum = { statistic: cloudwatch.Stats.MAXIMUM, period };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Callbacks accepted and rejected (per minute)',
            left: [functionMetric(METRIC.accepted, { label: 'accepted' })],
            right: [rejectedByErrCode],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Rejected callbacks by errCode',
            left: [rejectedByErrCode],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: "API replies 4xx and 5xx (API Gateway's own among them are lost callbacks)",
            left: [
              props.httpStage.metricClientError({ period, label: '4xx' }),
              props.httpStage.metricServerError({ period, label: '5xx' }),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Events published, parked, redriven, unpublishable, lost',
            left: [
              functionMetric(METRIC.published, { label: 'published at once' }),
              functionMetric(METRIC.parked, { label: 'parked' }),
              functionMetric(METRIC.redriven, { label: 'redriven (published by the drainer)' }),
            ],
            right: [
              functionMetric(METRIC.redriveFailed, { label: 'redrive failures (retried later)' }),
              functionMetric(METRIC.unpublishable, { label: 'unpublishable (dead-lettered at once)' }),
              functionMetric(METRIC.lost, { label: 'lost (25001)' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Circuit breaker opened and closed',
            left: [
              functionMetric(METRIC.circuitOpened, { label: 'opened' }),
              functionMetric(METRIC.circuitClosed, { label: 'closed' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Publish latency (ms)',
            left: [
              functionMetric(METRIC.publishLatency, { statistic: 'p50', label: 'p50' }),
              functionMetric(METRIC.publishLatency, { statistic: 'p99', label: 'p99' }),
              functionMetric(METRIC.publishLatency, { statistic: cloudwatch.Stats.MAXIMUM, label: 'max' }),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Parked events: retry queue depth (most wait hidden for their backoff)',
            left: [
              props.retryQueue.metricApproximateNumberOfMessagesVisible({ ...maximum, label: 'due now' }),
              props.retryQueue.metricApproximateNumberOfMessagesNotVisible({
                ...maximum,
                label: 'in backoff or in flight',
              }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Oldest parked event (seconds)',
            left: [props.retryQueue.metricApproximateAgeOfOldestMessage({ ...maximum, label: 'age' })],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-lettered events: final dead-letter queue depth',
            left: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...maximum, label: 'waiting' })],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Callback function: duration (ms) and cold starts',
            left: [
              props.callbackFunction.metricDuration({ statistic: 'p50', period, label: 'p50' }),
              props.callbackFunction.metricDuration({ statistic: 'p99', period, label: 'p99' }),
            ],
            right: [coldStarts.with({ label: 'cold starts' })],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Callback function: errors and throttles',
            left: [
              props.callbackFunction.metricErrors({ period, label: 'errors' }),
              props.callbackFunction.metricThrottles({ period, label: 'throttles' }),
            ],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Retry drainer: duration (ms)',
            left: [
              props.drainerFunction.metricDuration({ statistic: 'p50', period, label: 'p50' }),
              props.drainerFunction.metricDuration({ statistic: cloudwatch.Stats.MAXIMUM, period, label: 'max' }),
            ],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Retry drainer: errors and throttles',
            left: [
              props.drainerFunction.metricErrors({ period, label: 'errors' }),
              props.drainerFunction.metricThrottles({ period, label: 'throttles' }),
            ],
            width: 6,
          }),
        ],
      ],
    });
  }
}
