import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { FriendGraphRows } from '../adapters/aws/friend-graph-rows';
import { ReconcilerMirrors } from '../adapters/aws/reconciler-mirrors';
import { ReconcilerTable } from '../adapters/aws/reconciler-table';
import {
  createRepairPublisher,
  eventPace,
  type SetAsideRepair,
  setAsideInQueue,
} from '../adapters/aws/repair-publisher';
import { createDeadLetterSender } from '../adapters/aws/retry-queue';
import { METRICS_NAMESPACE, RECONCILER_METRIC, SERVICE_NAME } from '../contract/metrics';
import { forEngine } from '../reconcile/engine-errors';
import { WORKER_RESERVE_MS, workerEventsPerSecond, workerPace } from '../reconcile/pace';
import { runSnapshotPart, type SnapshotPart } from '../reconcile/snapshot-part';
import { runPart, type SweepPart } from '../reconcile/sweep-part';
import { publishMetrics, SweepTelemetry } from '../reconcile/telemetry';
import {
  BACKGROUND_PUBLISH_TIMEOUT_MS,
  type Environment,
  loadReconcilerConfig,
  loadWorkerTargets,
} from './wiring/environment';
import { openImDirectory } from './wiring/openim-directory';

/**
 * One part of a sweep per invocation (a page of users, or a segment of the orphans phase, or a
 * snapshot's page or batch of users), at
 * this worker's share of the pace. Returns `done: false` when its time runs short; the state
 * machine invokes it again and it goes on from its last checkpoint.
 */
export const createHandler = async (env: Environment = process.env) => {
  const config = loadReconcilerConfig(env);
  const targets = loadWorkerTargets(env);
  const pace = workerPace(config);
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const telemetry = new SweepTelemetry(
    logger,
    new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  );
  const dynamo = new DynamoDBClient({});
  const records = new ReconcilerTable(dynamo, config.tableName);
  const directory = openImDirectory(
    config,
    { callsPerSecond: pace.callsPerSecond, maxConcurrentCalls: pace.usersInFlight },
    { dynamo, secrets: new SecretsManagerClient({}) },
    telemetry.observeCall,
  );
  const address = { eventBusName: targets.eventBusName, source: targets.eventSource };
  // The SQS client only for the rare repair EventBridge refuses for good.
  let sqs: SQSClient | undefined;
  const setAside = (repairs: SetAsideRepair[]) => {
    sqs ??= new SQSClient({});
    return setAsideInQueue(createDeadLetterSender(sqs, targets.deadLetterQueueUrl), address)(repairs);
  };
  const logSetAside = (repairs: SetAsideRepair[]) => {
    telemetry.metrics.addMetric(RECONCILER_METRIC.repairsSetAside, MetricUnit.Count, repairs.length);
    for (const { repair, reason } of repairs) {
      logger.error('repair set aside in the final dead-letter queue: EventBridge refused it for good', {
        detailType: repair.detailType,
        idempotencyKey: repair.detail.idempotencyKey,
        reason,
      });
    }
  };
  const deps = {
    directory,
    graph: new FriendGraphRows(dynamo, targets.graphTableName),
    mirrors: new ReconcilerMirrors(dynamo, config.tableName),
    publish: createRepairPublisher(new EventBridgeClient({}), address, {
      timeoutMs: BACKGROUND_PUBLISH_TIMEOUT_MS,
      pace: eventPace(workerEventsPerSecond(config), {
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      }),
      setAside: async (repairs) => {
        await setAside(repairs);
        logSetAside(repairs);
      },
    }),
    progress: telemetry.observed(records),
    snapshotProgress: telemetry.observedSnapshot(records),
    clock: Date.now,
    usersInFlight: pace.usersInFlight,
    chunkSize: pace.chunkSize,
  };
  return middy<SweepPart | SnapshotPart, { done: boolean }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics(telemetry.metrics))
    .handler(async (part, context) => {
      const deadline = Date.now() + context.getRemainingTimeInMillis() - WORKER_RESERVE_MS;
      try {
        if (part.kind === 'snapshot')
          return await runSnapshotPart(part, { ...deps, progress: deps.snapshotProgress, deadline });
        return await runPart(part, { ...deps, deadline });
      } catch (error) {
        // Counted before the engine retries the part, so the sweep's record shows every failure.
        await deps.progress.count(part.sweepID, { apiErrors: telemetry.takeFailedRequests() }).catch(() => undefined);
        logger.error('sweep part failed; the state machine retries it from its last checkpoint', { part, error });
        throw forEngine(error);
      }
    });
};

export const handler = await createHandler();
