import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { acceptedReply } from '../openim/reply';
import { processCallback } from '../openim/reply-path';
import { loadConfig } from './config';
import { type CallbackDependencies, createDependencies } from './dependencies';
import { parseCallbackPath, queryCommand, readOperationID, receivedAt, toHttpResponse } from './http';
import { type InvocationContext, invocationStart, replyOnError, requestGuard, startOf } from './middlewares';
import { loadTracing } from './tracing';

/** The HTTP wiring: guard, parse, process, reply. Every outcome is OpenIM's JSON reply. */
export const buildHandler = (deps: CallbackDependencies, tracing?: MiddlewareObj) => {
  const { config, telemetry } = deps;
  const services = {
    address: { eventBusName: config.eventBusName, source: config.eventSource },
    replyBudgetMs: config.replyBudgetMs,
    parkReserveMs: config.parkReserveMs,
    publish: deps.publish,
    park: deps.park,
    telemetry,
  };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, InvocationContext>()
    .use(tracing ? [tracing] : [])
    .use(invocationStart())
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
    .use(replyOnError(telemetry))
    .use(requestGuard({ ...config, tokens: deps.tokens, checkSource: deps.checkSource }))
    .use(httpJsonBodyParser())
    .handler(async (event, context) => {
      const startedAt = startOf(context);
      const operationID = readOperationID(event.headers);
      const outcome = await processCallback(
        {
          body: event.body as unknown, // parsed by httpJsonBodyParser
          pathCommand: parseCallbackPath(event.rawPath ?? '', config.pathPrefix).command,
          queryCommand: queryCommand(event),
          operationID,
          receivedAt: receivedAt(event),
          startedAt,
        },
        services,
      );
      telemetry.accepted(outcome, Math.round(performance.now() - startedAt));
      return toHttpResponse(acceptedReply());
    });
};

export const handler = buildHandler(createDependencies(loadConfig()), await loadTracing());
