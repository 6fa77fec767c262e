import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { singleAttemptClientConfig } from '../aws/clients';
import { createEventBridgeClient, putOnce } from '../aws/event-bus';
import { createRetryDelay } from '../aws/retry-queue';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics';
import { type DrainResult, drainBatch } from './drain';

/** Generous: nobody waits on the drainer, and a slow but working bus should still count as working. */
const PUBLISH_TIMEOUT_MS = 5_000;

const queueUrl = process.env.RETRY_QUEUE_URL;
if (!queueUrl) throw new Error('environment variable RETRY_QUEUE_URL is required');

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
const eventBridge = createEventBridgeClient(PUBLISH_TIMEOUT_MS);
const delayRetry = createRetryDelay(new SQSClient(singleAttemptClientConfig(PUBLISH_TIMEOUT_MS)), queueUrl);

const report = ({ published, failed }: DrainResult): void => {
  metrics.addMetric(METRIC.redriven, MetricUnit.Count, published);
  metrics.addMetric(METRIC.redriveFailed, MetricUnit.Count, failed.length);
  if (published > 0) logger.info('parked events published', { outcome: 'redriven', published });
  for (const failure of failed)
    logger.warn('parked event not published yet; retrying later', { outcome: 'retry', ...failure });
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
      })),
      {
        publish: (entries) => putOnce(eventBridge, entries, (entry) => entry, PUBLISH_TIMEOUT_MS),
        delayRetry,
        random: Math.random,
        onResult: report,
      },
    ),
  );
