import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ERR_CODE_DIMENSION, METRIC } from '../contract/metrics';
import type { BreakerState } from '../openim/circuit-breaker';
import type { UnparkedEvent } from '../openim/ports';
import { CallbackError, type StatusAndReply } from '../openim/reply';
import type { AcceptedCallback } from '../openim/reply-path';

/**
 * One structured log line and a few EMF metrics per callback (through Powertools).
 * Never logged at info level: the token, the URL path and message texts.
 */
export class CallbackTelemetry {
  constructor(
    readonly logger: Logger,
    readonly metrics: Metrics,
    /** Where events go, logged with a lost event so it can be published by hand. */
    private readonly address: { eventBusName: string; source: string },
  ) {}

  accepted(outcome: AcceptedCallback, latencyMs: number): void {
    this.metrics.addMetric(METRIC.accepted, MetricUnit.Count, 1);
    this.metrics.addMetric(METRIC.published, MetricUnit.Count, outcome.published);
    this.metrics.addMetric(METRIC.parked, MetricUnit.Count, outcome.parked);
    if (outcome.attempt === 'made') {
      this.metrics.addMetric(METRIC.publishLatency, MetricUnit.Milliseconds, outcome.publishLatencyMs);
    }
    const parked = outcome.parked > 0;
    const fields = {
      outcome: parked ? 'parked' : 'published',
      ...outcome,
      correlation_id: outcome.operationID,
      latencyMs,
    };
    if (parked) this.logger.warn('callback accepted, events parked in the retry queue', fields);
    else this.logger.info('callback accepted', fields);
  }

  /** Every change of the circuit breaker: a line, and a count of openings and closings. */
  breakerChanged(from: BreakerState, to: BreakerState): void {
    if (to === 'open') this.metrics.addMetric(METRIC.circuitOpened, MetricUnit.Count, 1);
    if (to === 'closed') this.metrics.addMetric(METRIC.circuitClosed, MetricUnit.Count, 1);
    const fields = { outcome: 'circuit', from, to };
    if (to === 'open')
      this.logger.warn('circuit opened: EventBridge keeps failing; parking without an attempt', fields);
    else this.logger.info(`circuit ${to}`, fields);
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
        cause: describeCause(error.cause),
      });
    } else {
      this.logger.error('callback failed', { ...fields, error }); // a bug: keep the stack
    }
  }

  /** The last resort: the complete events, so they can be published from the logs by hand. */
  lost(events: UnparkedEvent[], operationID: string): void {
    this.metrics.addMetric(METRIC.lost, MetricUnit.Count, events.length);
    for (const { event, reason, parkError } of events) {
      this.logger.error('event neither published nor parked', {
        outcome: 'lost',
        operationID,
        reason,
        parkError,
        entry: { ...this.address, detailType: event.detailType, detail: event.detail },
      });
    }
  }
}

/** The cause's name and message, never its stack. */
const describeCause = (cause: unknown): string | undefined =>
  cause instanceof Error
    ? `${cause.name}: ${cause.message}`.slice(0, 300)
    : cause === undefined
      ? undefined
      : String(cause);
