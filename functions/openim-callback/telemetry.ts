import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { UnparkedEntry } from '../aws/dead-letter-queue';
import type { StatusAndReply } from '../openim/reply';
import { ERR_CODE_DIMENSION, METRIC } from './telemetry-names';

export interface AcceptedCallback {
  command: string;
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
    const message = outcome.deadLettered > 0 ? 'callback accepted, events dead-lettered' : 'callback accepted';
    const log = outcome.deadLettered > 0 ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log(message, { outcome: outcome.deadLettered > 0 ? 'parked' : 'published', ...outcome, latencyMs });
  }

  rejected(result: StatusAndReply, latencyMs: number, error: unknown): void {
    const { statusCode, reply } = result;
    this.metrics.addMetric(METRIC.accepted, MetricUnit.Count, 0);
    this.metrics
      .singleMetric()
      .addDimension(ERR_CODE_DIMENSION, String(reply.errCode))
      .addMetric(METRIC.rejected, MetricUnit.Count, 1);
    const fields = { outcome: 'rejected', statusCode, errCode: reply.errCode, errDlt: reply.errDlt, latencyMs };
    if (statusCode >= 500) this.logger.error('callback failed', { ...fields, error });
    else this.logger.info('callback rejected', fields);
  }

  /** The last resort: the complete entries, so they can be recovered from the logs by hand. */
  lost(entries: UnparkedEntry[]): void {
    this.metrics.addMetric(METRIC.lost, MetricUnit.Count, entries.length);
    for (const { entry, reason, parkError } of entries) {
      this.logger.error('event neither published nor dead-lettered', {
        outcome: 'lost',
        reason,
        parkError,
        entry: { ...entry, Time: entry.Time?.toISOString() },
      });
    }
  }
}
