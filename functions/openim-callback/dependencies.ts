import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createTokenSource } from '../aws/callback-token';
import { createEventPublisher } from '../aws/event-bus';
import { createDeadLetterQueue } from '../aws/retry-queue';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics';
import { createSourceCheck } from './access';
import type { CallbackConfig } from './config';
import { CallbackTelemetry } from './telemetry';

/** Builds the function's collaborators from its config: AWS adapters, logger, metrics. */
export const createDependencies = (config: CallbackConfig) => {
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  return {
    config,
    logger,
    metrics,
    telemetry: new CallbackTelemetry(logger, metrics),
    checkSource: createSourceCheck(config.allowedSourceCidrs),
    tokens: createTokenSource({
      secretId: config.tokenSecretId,
      refreshMs: config.tokenRefreshMs,
      timeoutMs: 1_000,
      onRefreshError: (reason) => logger.warn('callback token refresh failed; keeping the cached token', { reason }),
    }),
    publish: createEventPublisher({
      attemptTimeoutMs: config.publishAttemptTimeoutMs,
      baseDelayMs: config.retryBaseDelayMs,
      maxDelayMs: config.retryMaxDelayMs,
    }),
    park: createDeadLetterQueue(config.deadLetterQueueUrl, config.parkReserveMs),
  };
};

export type CallbackDependencies = ReturnType<typeof createDependencies>;
