import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createTokenSource } from '../adapters/aws/callback-token';
import { createEventBridgeClient, createEventBusPublisher } from '../adapters/aws/event-bus';
import { createRetryQueue } from '../adapters/aws/retry-queue';
import { createSourceCheck } from '../callback/access';
import {
  deliveryIdOf,
  isSynthetic,
  parseCallbackPath,
  queryCommand,
  readOperationID,
  receivedAt,
  toHttpResponse,
} from '../callback/http';
import { type InvocationContext, invocationStart, replyOnError, requestGuard, startOf } from '../callback/middlewares';
import { CallbackTelemetry } from '../callback/telemetry';
import { loadTracing } from '../callback/tracing';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics';
import { CircuitBreaker } from '../openim/circuit-breaker';
import type { Clock } from '../openim/ports';
import { acceptedReply } from '../openim/reply';
import { acceptCallback, type ReplyPathServices } from '../openim/reply-path';
import { type CallbackConfig, type Environment, loadCallbackConfig } from './wiring/environment';

/** How long one read of the token secret may take (at cold start, and at each refresh). */
const TOKEN_READ_TIMEOUT_MS = 3_000;

/**
 * Builds the function's collaborators from its config: AWS adapters, breaker, logger, metrics.
 * `clock` and `tokenReadTimeoutMs` are for tests, which set time for their purpose.
 */
export const createDependencies = (
  config: CallbackConfig,
  clock: Clock = Date.now,
  tokenReadTimeoutMs = TOKEN_READ_TIMEOUT_MS,
) => {
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const address = { eventBusName: config.eventBusName, source: config.eventSource };
  const telemetry = new CallbackTelemetry(logger, metrics, address);
  const replyPath: ReplyPathServices = {
    publishTimeoutMs: config.publishTimeoutMs,
    replyBudgetMs: config.replyBudgetMs,
    clock,
    publish: createEventBusPublisher(address, createEventBridgeClient(config.publishTimeoutMs)),
    park: createRetryQueue(config.retryQueueUrl, address, config.replyBudgetMs),
    breaker: new CircuitBreaker({
      failureThreshold: config.breakerFailureThreshold,
      cooldownMs: config.breakerCooldownMs,
      clock,
      onStateChange: (from, to) => telemetry.breakerChanged(from, to),
    }),
    reportLost: (lost, operationID) => telemetry.lost(lost, operationID),
  };
  return {
    config,
    logger,
    metrics,
    telemetry,
    replyPath,
    checkSource: createSourceCheck(config.allowedSourceCidrs),
    tokens: createTokenSource({
      secretId: config.tokenSecretId,
      refreshMs: config.tokenRefreshMs,
      // Read at cold start and every refresh interval; a failed refresh keeps the cached token.
      timeoutMs: tokenReadTimeoutMs,
      clock,
      onRefreshError: (reason) => logger.warn('callback token refresh failed; keeping the cached token', { reason }),
    }),
  };
};

export type CallbackDependencies = ReturnType<typeof createDependencies>;

/** The HTTP wiring: guard, parse, accept, reply. Every outcome is OpenIM's JSON reply. */
export const buildHandler = (deps: CallbackDependencies, tracing?: MiddlewareObj) => {
  const { config, telemetry } = deps;
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, InvocationContext>()
    .use(tracing ? [tracing] : [])
    .use(invocationStart())
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
    .use(replyOnError(telemetry))
    .use(requestGuard({ ...config, tokens: deps.tokens, checkSource: deps.checkSource }))
    .use(httpJsonBodyParser())
    .handler(async (event, context) => {
      const operationID = readOperationID(event.headers);
      const outcome = await acceptCallback(
        {
          body: event.body as unknown, // parsed by httpJsonBodyParser
          pathCommand: parseCallbackPath(event.rawPath ?? '', config.pathPrefix).command,
          queryCommand: queryCommand(event),
          operationID: operationID.value,
          operationIDAltered: operationID.altered,
          receivedAt: receivedAt(event),
          deliveryId: deliveryIdOf(event, context),
          synthetic: isSynthetic(event.headers),
        },
        deps.replyPath,
      );
      telemetry.accepted(outcome, Math.round(performance.now() - startOf(context)));
      return toHttpResponse(acceptedReply());
    });
};

/** A handler instance of its own (own clients, breaker and logger), as one Lambda instance has. */
export const createHandler = async (env: Environment = process.env) =>
  buildHandler(createDependencies(loadCallbackConfig(env)), await loadTracing());

export const handler = await createHandler();
