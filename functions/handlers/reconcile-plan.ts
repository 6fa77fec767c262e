import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { ReconcilerTable } from '../adapters/aws/reconciler-table';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics';
import { forEngine } from '../reconcile/engine-errors';
import { pageSizeOf, workerPace } from '../reconcile/pace';
import { planSnapshot, planSweep, type SnapshotPlan, type SweepPlan } from '../reconcile/plan';
import { snapshotRequestOf } from '../reconcile/snapshot-request';
import { publishMetrics, SweepTelemetry } from '../reconcile/telemetry';
import { type Environment, loadReconcilerConfig } from './wiring/environment';
import { openImDirectory } from './wiring/openim-directory';

/** The state machine's first step: the sweep lock, then the parts to fan out over. */
export interface PlanInput {
  /** The execution's name: unique, and what `npm run reconcile` follows. */
  sweepID: string;
  /** The execution's input: `{ "snapshot": { "for": ..., "users": [...] } }` asks for a snapshot, anything else a sweep. */
  input?: unknown;
}

export const createHandler = async (env: Environment = process.env) => {
  const config = loadReconcilerConfig(env);
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const telemetry = new SweepTelemetry(
    logger,
    new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  );
  const dynamo = new DynamoDBClient({});
  const table = new ReconcilerTable(dynamo, config.tableName);
  // One call (the user count) at a worker's pace: the plan runs before any worker.
  const directory = openImDirectory(
    config,
    { callsPerSecond: workerPace(config).callsPerSecond, maxConcurrentCalls: 1 },
    { dynamo, secrets: new SecretsManagerClient({}) },
    telemetry.observeCall,
  );
  return middy<PlanInput, SweepPlan | SnapshotPlan>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics(telemetry.metrics))
    .handler(async ({ sweepID, input }) => {
      if (typeof sweepID !== 'string' || sweepID === '') throw new TypeError('the plan needs a sweepID');
      // A bad request fails here, before the lock, and the engine does not retry it.
      const request = snapshotRequestOf(input);
      const deps = {
        directory,
        lock: table,
        records: table,
        clock: Date.now,
        pageSize: pageSizeOf(config),
        concurrency: config.concurrency,
        lockMs: config.maxHours * 3_600_000,
      };
      try {
        if (request) {
          const plan = await planSnapshot(sweepID, request, deps);
          if (plan.locked)
            logger.info('snapshot planned', { sweepID, for: request.for, parts: plan.snapshotParts.length });
          else
            logger.warn('a sweep or snapshot is running: this snapshot ends without sending', {
              sweepID,
              heldBy: plan.heldBy,
            });
          return plan;
        }
        const plan = await planSweep(sweepID, deps);
        if (plan.locked) logger.info('sweep planned', { sweepID, pages: plan.pages.length, pageSize: plan.pageSize });
        else logger.warn('another sweep is running: this one ends without sweeping', { sweepID, heldBy: plan.heldBy });
        return plan;
      } catch (error) {
        logger.error('sweep could not be planned', { sweepID, error });
        throw forEngine(error);
      }
    });
};

export const handler = await createHandler();
