import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { ReconcilerTable } from '../adapters/aws/reconciler-table';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics';
import { describeFailure, finishSweep } from '../reconcile/plan';
import type { SweepSummary } from '../reconcile/ports';
import { publishMetrics, SweepTelemetry } from '../reconcile/telemetry';
import { type Environment, required } from './wiring/environment';

/** The state machine's last step, and its Catch: closes the sweep's record and releases the lock. */
export interface FinishInput {
  sweepID: string;
  /** What the state machine caught (`Error`, `Cause`), when a step failed for good. */
  failure?: { Error?: string; Cause?: string };
}

export const createHandler = async (env: Environment = process.env) => {
  const tableName = required(env, 'RECONCILER_TABLE_NAME');
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const telemetry = new SweepTelemetry(
    logger,
    new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  );
  const table = new ReconcilerTable(new DynamoDBClient({}), tableName);
  return middy<FinishInput, SweepSummary>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics(telemetry.metrics))
    .handler(async ({ sweepID, failure }) => {
      if (typeof sweepID !== 'string' || sweepID === '') throw new TypeError('finishing needs a sweepID');
      const end = failure ? { failed: true as const, error: describeFailure(failure) } : { failed: false as const };
      const summary = await finishSweep(sweepID, end, { lock: table, records: table, clock: Date.now });
      telemetry.sweepEnded(summary);
      return summary;
    });
};

export const handler = await createHandler();
