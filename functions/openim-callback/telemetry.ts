import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { describeAwsError } from '../aws/clients';
import type { UnparkedEntry } from '../aws/retry-queue';
import { ERR_CODE_DIMENSION, METRIC } from '../contract/metrics';
import type { StatusAndReply } from '../openim/reply';
import { CallbackError } from '../openim/reply';

export interface AcceptedCallback {
  command: string;
  operationID: string;
  events: number;
  published: number;
  deadLettered: number;
  attempts: number;
  publishLatencyMs: number;
}

/**
 * One structured log line and a few EMF metrics per callback (through Powertools).
 * Never logged at info level: the token, the URL path and message texts.
 */
export class CallbackTelemetry {
  constructor(
    readonly logger: Logger,
    readonly metrics: Metrics,
  ) {}

  accepted(outcome: AcceptedCallback, latencyMs: number): void {
    this.metrics.addMetric(METRIC.accepted, MetricUnit.Count, 1);
    this.metrics.addMetric(METRIC.published, MetricUnit.Count, outcome.published);
    this.metrics.addMetric(METRIC.retried, MetricUnit.Count, Math.max(0, outcome.attempts - 1));
    this.metrics.addMetric(METRIC.deadLettered, MetricUnit.Count, outcome.deadLettered);
    this.metrics.addMetric(METRIC.publishLatency, MetricUnit.Milliseconds, outcome.publishLatencyMs);
    const parked = outcome.deadLettered > 0;
    const fields = {
      outcome: parked ? 'parked' : 'published',
      ...outcome,
      correlation_id: outcome.operationID,
      latencyMs,
    };
    if (parked) this.logger.warn('callback accepted, events dead-lettered', fields);
    else this.logger.info('callback accepted', fields);
  }

  /** `operationID` is passed in, never appended to the logger: the local server runs invocations concurrently. */
  rejected(result: StatusAndReply, operationID: string, latencyMs: number, error: unknown): void {
    const { statusCode, reply } = result;
    this.metrics.addMetric(METRIC.accepted, MetricUnit.Count, 0);
    this.metrics
      .singleMetric()
      .addDimension(ERR_CODE_DIMENSION, String(reply.errCode))
      .addMetric(METRIC.rejected, MetricUnit.Count, 1);
    const fields = {
      outcome: 'rejected',
      operationID,
      correlation_id: operationID,
      statusCode,
      errCode: reply.errCode,
      errDlt: reply.errDlt,
      latencyMs,
    };
    if (statusCode < 500) {
      this.logger.info('callback rejected', fields);
    } else if (error instanceof CallbackError) {
      // A failure we diagnosed ourselves: errDlt and the cause tell the story. A stack would not,
      // and the first one costs a source-map parse (~100 ms) inside the reply budget.
      this.logger.error('callback failed', {
        ...fields,
        cause: error.cause === undefined ? undefined : describeAwsError(error.cause),
      });
    } else {
      this.logger.error('callback failed', { ...fields, error }); // a bug: keep the stack
    }
  }

  /** The last resort: the complete entries, so they can be recovered from the logs by hand. */
  lost(entries: UnparkedEntry[], operationID: string): void {
    this.metrics.addMetric(METRIC.lost, MetricUnit.Count, entries.length);
    for (const { entry, reason, parkError } of entries) {
      this.logger.error('event neither published nor dead-lettered', {
        outcome: 'lost',
        operationID,
        reason,
        parkError,
        entry: { ...entry, Time: entry.Time?.toISOString() },
      });
    }
  }
}
