import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { ReconcilerTable } from '../adapters/aws/reconciler-table';
import { createSnapshotCompletionPublisher } from '../adapters/aws/snapshot-completion';
import type { SnapshotAddress } from '../contract/events';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics';
import { describeFailure, finishSnapshot, finishSweep } from '../reconcile/plan';
import type { SnapshotTotals, SweepSummary } from '../reconcile/ports';
import { publishMetrics, SweepTelemetry } from '../reconcile/telemetry';
import { BACKGROUND_PUBLISH_TIMEOUT_MS, type Environment, loadCompletionTarget, required } from './wiring/environment';

/**
 * The state machine's last step, and its Catch: closes the sweep's record and releases the lock.
 * For a snapshot whose parts are all on the bus, it first publishes `FriendSnapshotCompleted`.
 */
export interface FinishInput {
  sweepID: string;
  /** What the state machine caught (`Error`, `Cause`), when a step failed for good. */
  failure?: { Error?: string; Cause?: string };
  /** The snapshot this execution sent, when it was one (and did not fail). */
  snapshot?: SnapshotAddress;
}

export type FinishOutput = SweepSummary | { summary: SweepSummary; snapshot: SnapshotAddress; totals: SnapshotTotals };

export const createHandler = async (env: Environment = process.env) => {
  const tableName = required(env, 'RECONCILER_TABLE_NAME');
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const telemetry = new SweepTelemetry(
    logger,
    new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  );
  const table = new ReconcilerTable(new DynamoDBClient({}), tableName);
  // Only a snapshot's end publishes; read when one ends, so a sweep-only setup needs no bus.
  let publishCompleted: ReturnType<typeof createSnapshotCompletionPublisher> | undefined;
  const completionPublisher = () => {
    publishCompleted ??= createSnapshotCompletionPublisher(
      new EventBridgeClient({}),
      loadCompletionTarget(env),
      BACKGROUND_PUBLISH_TIMEOUT_MS,
    );
    return publishCompleted;
  };
  return middy<FinishInput, FinishOutput>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics(telemetry.metrics))
    .handler(async ({ sweepID, failure, snapshot }) => {
      if (typeof sweepID !== 'string' || sweepID === '') throw new TypeError('finishing needs a sweepID');
      if (snapshot !== undefined && !failure) {
        const finished = await finishSnapshot(sweepID, snapshot, {
          lock: table,
          records: table,
          progress: table,
          clock: Date.now,
          publishCompleted: completionPublisher(),
        });
        logger.info('snapshot completed', { sweepID, snapshot, ...finished.totals.counters });
        return finished;
      }
      const end = failure ? { failed: true as const, error: describeFailure(failure) } : { failed: false as const };
      const summary = await finishSweep(sweepID, end, { lock: table, records: table, clock: Date.now });
      telemetry.sweepEnded(summary);
      return summary;
    });
};

export const handler = await createHandler();
