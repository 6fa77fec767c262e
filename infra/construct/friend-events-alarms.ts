import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ERR_CODE_DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contract/metrics';
import { acknowledgeFindings } from './nag-acknowledgements';

export interface FriendEventsAlarmsProps {
  callbackFunction: lambda.IFunction;
  drainerFunction: lambda.IFunction;
  /** Parked events. */
  retryQueue: sqs.IQueue;
  /** Dead-lettered events. */
  deadLetterQueue: sqs.IQueue;
  httpStage: apigwv2.IHttpStage;
  topic?: sns.ITopic;
  email?: string;
}

/** A metric the functions emit through Powertools (namespace and `service` dimension). */
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
 * The errCodes the callback function answers with a 4xx status (the README's reply table).
 * Nine metrics plus API Gateway's 4xx count are exactly CloudWatch's limit of ten per alarm.
 */
export const FUNCTION_4XX_ERR_CODES = [20001, 20002, 20003, 20004, 20005, 20006, 20007, 20008, 20009] as const;

/** A parked event older than this means events are not reaching the bus. */
export const PARKED_AGE_THRESHOLD = Duration.minutes(15);

/**
 * The alarms that say an event is at risk or lost, each description a runbook line: what it
 * means and what to do.
 */
export class FriendEventsAlarms extends Construct {
  readonly topic: sns.ITopic | undefined;
  readonly eventsDeadLettered: cloudwatch.Alarm;
  readonly parkedEventsWaiting: cloudwatch.Alarm;
  readonly circuitOpened: cloudwatch.Alarm;
  readonly eventsLost: cloudwatch.Alarm;
  readonly callbackErrors: cloudwatch.Alarm;
  readonly callbackThrottles: cloudwatch.Alarm;
  readonly drainerErrors: cloudwatch.Alarm;
  readonly drainerThrottles: cloudwatch.Alarm;
  readonly apiClientErrors: cloudwatch.Alarm;
  readonly apiServerErrors: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FriendEventsAlarmsProps) {
    super(scope, id);
    this.topic = props.topic ?? (props.email ? this.createTopic() : undefined);
    if (props.email && this.topic) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    const oneMinute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const alarm = (
      alarmId: string,
      alarmDescription: string,
      metric: cloudwatch.IMetric,
      threshold = 1,
    ): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.eventsDeadLettered = alarm(
      'EventsDeadLettered',
      'Events were dead-lettered: the drainer could not publish them for hours (about 20 tries), or found at once that one can never be published (an invalid entry, or one EventBridge refuses with a permanent error of its own; metric EventsUnpublishable). They are safe in the final dead-letter queue for up to 14 days, each with its reason. Find the cause in the drainer logs ("outcome":"retry" or "outcome":"dead-lettered", reason), fix it, then npm run redrive.',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: oneMinute,
      }),
    );
    this.parkedEventsWaiting = alarm(
      'ParkedEventsWaiting',
      `A parked event has waited over ${PARKED_AGE_THRESHOLD.toMinutes()} minutes in the retry queue: events are not reaching the bus (EventBridge failing, or the drainer failing or throttled). Subscribers get them late; after about 20 tries they are dead-lettered. Check the drainer logs ("outcome":"retry", reason) and its errors.`,
      props.retryQueue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: oneMinute }),
      PARKED_AGE_THRESHOLD.toSeconds(),
    );
    this.circuitOpened = alarm(
      'CircuitOpened',
      'The callback function\'s circuit breaker opened: EventBridge kept failing for it, so callbacks are parked without a publish attempt (the drainer publishes them later). Check EventBridge (service health, throttling, the bus and its policy) and the callback logs ("outcome":"circuit").',
      functionMetric(METRIC.circuitOpened, { period: fiveMinutes }),
    );
    this.eventsLost = alarm(
      'EventsLost',
      'Events were neither published nor parked (reply 503, errCode 25001): EventBridge and SQS both failed. Each complete entry is in the callback logs ("outcome":"lost"): re-publish it with aws events put-events; OpenIM does not retry.',
      functionMetric(METRIC.lost),
    );
    this.callbackErrors = alarm(
      'CallbackErrors',
      'The callback function crashed or timed out: API Gateway answered {"message":"Internal Server Error"}, which OpenIM reads as success, so the callback is lost. Check the callback logs.',
      props.callbackFunction.metricErrors({ period: oneMinute }),
    );
    this.callbackThrottles = alarm(
      'CallbackThrottles',
      'Lambda throttled the callback function: API Gateway answered those callbacks itself with a JSON body OpenIM reads as success, so they are lost. Raise its reserved concurrency or the account limit.',
      props.callbackFunction.metricThrottles({ period: oneMinute }),
    );
    this.drainerErrors = alarm(
      'DrainerErrors',
      'The retry drainer crashed or timed out: parked events wait (their batch comes back after the visibility timeout) and are dead-lettered after about 20 receives. Check the drainer logs.',
      props.drainerFunction.metricErrors({ period: oneMinute }),
    );
    this.drainerThrottles = alarm(
      'DrainerThrottles',
      'Lambda throttled the retry drainer: parked events wait longer, and each throttled receive counts toward dead-lettering. Check the account concurrency.',
      props.drainerFunction.metricThrottles({ period: oneMinute }),
    );
    this.apiClientErrors = alarm(
      'ApiClientErrors',
      `API Gateway answered 4xx itself (e.g. 429 {"message":"Too Many Requests"} from stage throttling, or 413 above its payload limit): OpenIM reads such a JSON body as success, so each of these callbacks is lost. Counted as the stage's 4xx minus the callback function's own 4xx refusals (${METRIC.rejected}, errCode ${FUNCTION_4XX_ERR_CODES[0]} to ${FUNCTION_4XX_ERR_CODES.at(-1)}, which OpenIM reads and logs), over 5 minutes; a refusal on a period boundary can fire it once spuriously. Raise the stage throttling above OpenIM's peak; check the access logs (status, integrationStatus).`,
      apiOwnClientErrors(props.httpStage, fiveMinutes),
    );
    this.apiServerErrors = alarm(
      'ApiServerErrors',
      'The API answered 5xx: either API Gateway itself (e.g. {"message":"Internal Server Error"} when the function crashed, timed out or was throttled), a JSON body OpenIM reads as success, so the callback is lost; or the callback function (500 errCode 25000 a bug, 503 25001 events lost, 503 25002 token secret unreadable). Check the access logs (status, integrationStatus, integrationError) and the callback logs.',
      props.httpStage.metricServerError({ period: oneMinute }),
    );

    if (this.topic) {
      const action = new actions.SnsAction(this.topic);
      for (const watched of this.all()) watched.addAlarmAction(action);
    }
  }

  all(): cloudwatch.Alarm[] {
    return [
      this.eventsDeadLettered,
      this.parkedEventsWaiting,
      this.circuitOpened,
      this.eventsLost,
      this.callbackErrors,
      this.callbackThrottles,
      this.drainerErrors,
      this.drainerThrottles,
      this.apiClientErrors,
      this.apiServerErrors,
    ];
  }

  private createTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'Topic', { enforceSSL: true });
    acknowledgeFindings(topic, 'AwsSolutions-SNS2');
    return topic;
  }
}

/** The stage's 4xx replies that the callback function did not give: API Gateway's own. */
const apiOwnClientErrors = (stage: apigwv2.IHttpStage, period: Duration): cloudwatch.MathExpression => {
  const refusals = Object.fromEntries(
    FUNCTION_4XX_ERR_CODES.map((errCode) => [
      `refused${errCode}`,
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.rejected,
        dimensionsMap: { service: SERVICE_NAME, [ERR_CODE_DIMENSION]: String(errCode) },
        statistic: cloudwatch.Stats.SUM,
        period,
      }),
    ]),
  );
  return new cloudwatch.MathExpression({
    expression: `FILL(api4xx, 0) - (${Object.keys(refusals)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + ')})`,
    usingMetrics: { api4xx: stage.metricClientError({ period }), ...refusals },
    label: "API Gateway's own 4xx replies",
    period,
  });
};
