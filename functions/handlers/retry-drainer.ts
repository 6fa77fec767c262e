import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { singleAttemptClientConfig } from '../adapters/aws/clients';
import { createEventBridgeClient, putOnce } from '../adapters/aws/event-bus';
import { createDeadLetterSender, createRetryDelay } from '../adapters/aws/retry-queue';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics';
import { type DrainResult, drainBatch } from '../retry/drain';
import { BACKGROUND_PUBLISH_TIMEOUT_MS, type Environment, loadDrainerConfig } from './wiring/environment';

const report =
  (logger: Logger, metrics: Metrics) =>
  ({ published, failed, deadLettered }: DrainResult): void => {
    metrics.addMetric(METRIC.redriven, MetricUnit.Count, published);
    metrics.addMetric(METRIC.redriveFailed, MetricUnit.Count, failed.length);
    metrics.addMetric(METRIC.unpublishable, MetricUnit.Count, deadLettered.length);
    if (published > 0) logger.info('parked events published', { outcome: 'redriven', published });
    for (const failure of failed)
      logger.warn('parked event not published yet; retrying later', { outcome: 'retry', ...failure });
    for (const poison of deadLettered)
      logger.error('parked event can never be published; sent to the final dead-letter queue', {
        outcome: 'dead-lettered',
        ...poison,
      });
  };

/** The retry queue's drainer: publishes parked events with backoff, reports partial batch failures. */
export const createHandler = async (env: Environment = process.env) => {
  const config = loadDrainerConfig(env);
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const eventBridge = createEventBridgeClient(BACKGROUND_PUBLISH_TIMEOUT_MS);
  const sqs = new SQSClient(singleAttemptClientConfig(BACKGROUND_PUBLISH_TIMEOUT_MS));
  const delayRetry = createRetryDelay(sqs, config.retryQueueUrl);
  const deadLetter = createDeadLetterSender(sqs, config.deadLetterQueueUrl);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler((event) =>
      drainBatch(
        event.Records.map((record) => ({
          messageId: record.messageId,
          receiptHandle: record.receiptHandle,
          body: record.body,
          receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
          sentAt: Number(record.attributes.SentTimestamp),
          queueArn: record.eventSourceARN,
        })),
        {
          publish: (entries) => putOnce(eventBridge, entries, (entry) => entry, BACKGROUND_PUBLISH_TIMEOUT_MS),
          deadLetter,
          delayRetry,
          random: Math.random,
          now: Date.now,
          onResult: report(logger, metrics),
        },
      ),
    );
};

export const handler = await createHandler();
