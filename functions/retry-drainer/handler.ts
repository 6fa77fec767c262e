import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { singleAttemptClientConfig } from '../aws/clients';
import { createEventBridgeClient, putOnce } from '../aws/event-bus';
import { createDeadLetterSender, createRetryDelay } from '../aws/retry-queue';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics';
import { type DrainResult, drainBatch } from './drain';

/** Generous: nobody waits on the drainer, and a slow but working bus should still count as working. */
const PUBLISH_TIMEOUT_MS = 5_000;

const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};
const queueUrl = requiredEnv('RETRY_QUEUE_URL');
const deadLetterQueueUrl = requiredEnv('DEAD_LETTER_QUEUE_URL');

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
const eventBridge = createEventBridgeClient(PUBLISH_TIMEOUT_MS);
const sqs = new SQSClient(singleAttemptClientConfig(PUBLISH_TIMEOUT_MS));
const delayRetry = createRetryDelay(sqs, queueUrl);
const deadLetter = createDeadLetterSender(sqs, deadLetterQueueUrl);

const report = ({ published, failed, deadLettered }: DrainResult): void => {
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
export const handler = middy<SQSEvent, SQSBatchResponse>()
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
        publish: (entries) => putOnce(eventBridge, entries, (entry) => entry, PUBLISH_TIMEOUT_MS),
        deadLetter,
        delayRetry,
        random: Math.random,
        now: Date.now,
        onResult: report,
      },
    ),
  );
