import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DIFFERENCE_KINDS } from '../../functions/contract/deployment';
import { DIFFERENCE_KIND_DIMENSION, RECONCILER_METRIC, SERVICE_NAME } from '../../functions/contract/metrics';
import { functionMetric } from './friend-events-alarms';

export interface ReconcilerMonitoringProps {
  stateMachine: sfn.StateMachine;
  functions: lambda.IFunction[];
  driftAlarmThreshold: number;
  topic: sns.ITopic | undefined;
  dashboard: cloudwatch.Dashboard;
}

/**
 * The reconciler's alarms (a sweep failed, timed out or was aborted; a sweep found more drift
 * than the threshold) and its rows on the product's dashboard: progress as workers go (users
 * checked, differences by kind, repairs published, OpenIM errors) and each sweep's outcome.
 */
export class ReconcilerMonitoring extends Construct {
  readonly sweepFailed: cloudwatch.Alarm;
  readonly driftAboveThreshold: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ReconcilerMonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const { stateMachine } = props;
    this.sweepFailed = new cloudwatch.Alarm(this, 'SweepFailedAlarm', {
      alarmDescription:
        'A reconciliation sweep failed, timed out or was aborted: the graph may stay out of step with OpenIM until the next sweep. The sweep record and the logs say why (docs/runbook.md, "A sweep failed"); after fixing the cause, run npm run reconcile.',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: stateMachine.metricFailed({ period }),
          timedOut: stateMachine.metricTimedOut({ period }),
          aborted: stateMachine.metricAborted({ period }),
        },
        period,
        label: 'sweeps failed, timed out or aborted',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.driftAboveThreshold = new cloudwatch.Alarm(this, 'DriftAlarm', {
      alarmDescription: `A reconciliation sweep found ${props.driftAlarmThreshold} or more differences between OpenIM and the friend graph, and repaired them: callbacks are being lost or not sent (docs/runbook.md, "Drift alarm").`,
      metric: functionMetric(RECONCILER_METRIC.sweepDifferences, { statistic: cloudwatch.Stats.MAXIMUM, period }),
      threshold: props.driftAlarmThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.topic) {
      const action = new actions.SnsAction(props.topic);
      this.sweepFailed.addAlarmAction(action);
      this.driftAboveThreshold.addAlarmAction(action);
    }

    const width = 8;
    props.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: '## Reconciliation with OpenIM (docs/runbook.md: "A sweep failed", "Drift alarm")',
        width: 24,
        height: 1,
      }),
    );
    props.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Sweep progress: users checked, repairs published and set aside',
        left: [
          functionMetric(RECONCILER_METRIC.usersChecked, { period, label: 'users checked' }),
          functionMetric(RECONCILER_METRIC.repairsPublished, { period, label: 'repair events published' }),
        ],
        // Refused for good by EventBridge, in the final dead-letter queue (its alarm fires too).
        right: [functionMetric(RECONCILER_METRIC.repairsSetAside, { period, label: 'repairs set aside' })],
        width,
      }),
      new cloudwatch.GraphWidget({
        title: 'Differences found, by kind',
        left: DIFFERENCE_KINDS.map((kind) =>
          functionMetric(RECONCILER_METRIC.differences, {
            period,
            label: kind,
            dimensionsMap: { service: SERVICE_NAME, [DIFFERENCE_KIND_DIMENSION]: kind },
          }),
        ),
        width,
      }),
      new cloudwatch.GraphWidget({
        title: 'OpenIM requests that failed (each retry counts)',
        left: [functionMetric(RECONCILER_METRIC.openImErrors, { period, label: 'failed requests' })],
        width,
      }),
    );
    props.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Sweeps',
        left: [
          stateMachine.metricStarted({ period, label: 'started' }),
          stateMachine.metricSucceeded({ period, label: 'succeeded' }),
          stateMachine.metricFailed({ period, label: 'failed' }),
          stateMachine.metricTimedOut({ period, label: 'timed out' }),
          stateMachine.metricAborted({ period, label: 'aborted' }),
        ],
        width,
      }),
      new cloudwatch.GraphWidget({
        title: 'Each sweep: differences and duration',
        left: [
          functionMetric(RECONCILER_METRIC.sweepDifferences, {
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'differences',
          }),
        ],
        right: [
          functionMetric(RECONCILER_METRIC.sweepDuration, {
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'seconds',
          }),
        ],
        leftAnnotations: [{ value: props.driftAlarmThreshold, label: 'drift alarm' }],
        width,
      }),
      new cloudwatch.GraphWidget({
        title: 'Reconciler functions: errors, throttles',
        left: props.functions.flatMap((fn, index) => [
          fn.metricErrors({ period, label: `errors ${['plan', 'worker', 'finish'][index]}` }),
          fn.metricThrottles({ period, label: `throttles ${['plan', 'worker', 'finish'][index]}` }),
        ]),
        width,
      }),
    );
  }
}
