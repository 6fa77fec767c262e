import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { DIFFERENCE_KINDS } from '../contract/deployment';
import { DIFFERENCE_KIND_DIMENSION, RECONCILER_METRIC } from '../contract/metrics';
import { type SweepCounters, totalDifferences } from './differences';
import type { CallObservation } from './openim-directory';
import type { SnapshotProgress, SweepProgress, SweepSummary } from './ports';

/**
 * The reconciler's logs and EMF metrics: counters as parts of a sweep get through them, OpenIM
 * requests that failed (each retry counts: a read the adapter retried successfully shows here
 * and nowhere else), and one line and two metrics per finished sweep. No secret, token or list
 * content is ever logged.
 */
export class SweepTelemetry {
  private failedRequests = 0;

  constructor(
    readonly logger: Logger,
    readonly metrics: Metrics,
  ) {}

  /** For the OpenIM client's `onCall`. */
  readonly observeCall = (call: CallObservation): void => {
    if (call.outcome === 'ok') return;
    this.failedRequests++;
    this.logger.warn('OpenIM request failed', { ...call });
  };

  /** `progress` that also counts the failed OpenIM requests with each checkpoint, and emits the counters. */
  observed(progress: SweepProgress): SweepProgress {
    return {
      resumePoint: (sweepID, part) => progress.resumePoint(sweepID, part),
      checkpoint: async (sweepID, part, cursor, counters) => {
        const withErrors = { ...counters, apiErrors: counters.apiErrors + this.takeFailedRequests() };
        await progress.checkpoint(sweepID, part, cursor, withErrors);
        if (counters.usersUnreadable > 0) {
          this.logger.warn(
            'users unreadable now: OpenIM did not answer their lists consistently; no repair for them in this sweep, tried again next sweep',
            {
              sweepID,
              part,
              usersUnreadable: counters.usersUnreadable,
            },
          );
        }
        this.emit(withErrors);
      },
      count: async (sweepID, counters) => {
        await progress.count(sweepID, counters);
        this.emit(counters);
      },
    };
  }

  /**
   * A snapshot's `progress`: each checkpoint also counts the failed OpenIM requests in the record's
   * `apiErrors` (not left to the next sweep's checkpoint), and names the owners it could not read.
   */
  observedSnapshot(progress: SnapshotProgress & Pick<SweepProgress, 'count'>): SnapshotProgress {
    return {
      resumePoint: (sweepID, part) => progress.resumePoint(sweepID, part),
      checkpointSnapshot: async (sweepID, part, cursor, counters, unreadableUserIDs) => {
        await progress.checkpointSnapshot(sweepID, part, cursor, counters, unreadableUserIDs);
        const apiErrors = this.takeFailedRequests();
        if (apiErrors > 0) await progress.count(sweepID, { apiErrors });
        if (unreadableUserIDs.length > 0) {
          this.logger.warn(
            'users unreadable: OpenIM did not answer their lists consistently; no part sent for them, named in FriendSnapshotCompleted',
            { sweepID, part, unreadableUserIDs },
          );
        }
        this.emit({ apiErrors });
      },
      snapshotTotals: (sweepID) => progress.snapshotTotals(sweepID),
    };
  }

  /** Failed requests not yet counted by a checkpoint (a part that fails counts them on its way out). */
  takeFailedRequests(): number {
    const taken = this.failedRequests;
    this.failedRequests = 0;
    return taken;
  }

  sweepEnded(summary: SweepSummary): void {
    const differences = totalDifferences(summary.counters);
    const seconds = (Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000;
    this.metrics.addMetric(RECONCILER_METRIC.sweepDifferences, MetricUnit.Count, differences);
    this.metrics.addMetric(RECONCILER_METRIC.sweepDuration, MetricUnit.Seconds, seconds);
    const fields = { outcome: `sweep ${summary.status}`, ...summary, differences, seconds };
    if (summary.status === 'completed') this.logger.info('sweep completed', fields);
    else this.logger.error('sweep failed', fields);
  }

  private emit(counters: Partial<SweepCounters>): void {
    const add = (name: string, value: number | undefined) => {
      if (value) this.metrics.addMetric(name, MetricUnit.Count, value);
    };
    add(RECONCILER_METRIC.usersChecked, counters.usersChecked);
    add(RECONCILER_METRIC.usersUnreadable, counters.usersUnreadable);
    add(RECONCILER_METRIC.repairsPublished, counters.eventsPublished);
    add(RECONCILER_METRIC.openImErrors, counters.apiErrors);
    for (const kind of DIFFERENCE_KINDS) {
      const value = counters[kind];
      if (value) {
        this.metrics
          .singleMetric()
          .addDimension(DIFFERENCE_KIND_DIMENSION, kind)
          .addMetric(RECONCILER_METRIC.differences, MetricUnit.Count, value);
      }
    }
  }
}

/**
 * Publishes what an invocation emitted, when it emitted anything (a part resumed as already done
 * emits nothing; Powertools' own middleware would log a warning for that on every such run).
 */
export const publishMetrics = (metrics: Metrics): MiddlewareObj => {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
};
