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
import { planSweep, type SweepPlan } from '../reconcile/plan';
import { publishMetrics, SweepTelemetry } from '../reconcile/telemetry';
import { type Environment, loadReconcilerConfig } from './wiring/environment';
import { openImDirectory } from './wiring/openim-directory';

/** The state machine's first step: the sweep lock, then the parts to fan out over. */
export interface PlanInput {
  /** The execution's name: unique, and what `npm run reconcile` follows. */
  sweepID: string;
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
  return middy<PlanInput, SweepPlan>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics(telemetry.metrics))
    .handler(async ({ sweepID }) => {
      if (typeof sweepID !== 'string' || sweepID === '') throw new TypeError('the plan needs a sweepID');
      try {
        const plan = await planSweep(sweepID, {
          directory,
          lock: table,
          records: table,
          clock: Date.now,
          pageSize: pageSizeOf(config),
          concurrency: config.concurrency,
          lockMs: config.maxHours * 3_600_000,
        });
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
