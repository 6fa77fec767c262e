import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { CallbackTokens } from '../openim/ports';
import {
  BodyTooLargeError,
  CallbackError,
  MalformedBodyError,
  MethodNotAllowedError,
  refusalReply,
  UnsupportedContentTypeError,
} from '../openim/reply';
import { checkToken } from './access';
import { bodyBytes, parseCallbackPath, readOperationID, toHttpResponse } from './http';
import type { CallbackTelemetry } from './telemetry';

/** The Lambda context plus when this invocation started (`performance.now()`), set by `invocationStart`. */
export type InvocationContext = Context & { startedAt?: number };

export const startOf = (context: InvocationContext): number => context.startedAt ?? performance.now();

/**
 * Stamps the start of each invocation on its own context (not in module state: the local
 * server runs many requests through one handler at once). The reply budget counts from here.
 */
export const invocationStart = (): MiddlewareObj<unknown, unknown, Error, InvocationContext> => ({
  before: (request) => {
    request.context.startedAt = performance.now();
  },
});

export interface RequestGuardOptions {
  pathPrefix: string;
  tokens: CallbackTokens;
  checkSource: (sourceIp: string | undefined) => void;
  maxBodyBytes: number;
}

/**
 * Runs before the body is parsed: the source IP (403), the method (405), the callback token (401)
 * and the body size (413), so nothing from an unauthenticated or oversized request is ever parsed.
 */
export const requestGuard = (options: RequestGuardOptions): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: async ({ event }) => {
    options.checkSource(event.requestContext?.http?.sourceIp);
    // OpenIM only POSTs; any other method is refused before the token is even looked at.
    const method = event.requestContext?.http?.method ?? '';
    if (method !== 'POST') throw new MethodNotAllowedError(`expected POST, got ${quoteMethod(method)}`);
    await checkToken(parseCallbackPath(event.rawPath ?? '', options.pathPrefix).token, options.tokens);
    const size = bodyBytes(event);
    if (size > options.maxBodyBytes) {
      throw new BodyTooLargeError(`the body is ${size} bytes; the limit is ${options.maxBodyBytes}`);
    }
  },
});

/**
 * Turns every error into OpenIM's JSON reply (never middy's text/plain), so that OpenIM can
 * decode it and people can read it. middy's body parser throws HTTP errors: 415 for a content
 * type that is not JSON, 422 for a body that does not parse; they map to the OpenIM table here.
 */
export const replyOnError = (
  telemetry: CallbackTelemetry,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, InvocationContext> => ({
  onError: (request) => {
    const error = toCallbackError(request.error);
    const result = refusalReply(error);
    telemetry.rejected(
      result,
      operationIdOf(request.event),
      Math.round(performance.now() - startOf(request.context)),
      error,
    );
    request.response = toHttpResponse(result);
  },
});

/** The operationID for the log line, in its safe form. */
const operationIdOf = (event: APIGatewayProxyEventV2): string => readOperationID(event.headers).value;

const toCallbackError = (error: unknown): unknown => {
  if (error instanceof CallbackError) return error;
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  const message = error instanceof Error ? error.message : '';
  if (statusCode === 415) {
    return new UnsupportedContentTypeError('Content-Type must be application/json', { cause: error });
  }
  if (statusCode === 422) {
    return new MalformedBodyError(message || 'the body is not valid JSON', { cause: error });
  }
  return error;
};

/** HTTP methods are short tokens; anything else is not echoed. */
const quoteMethod = (method: string): string => (/^[A-Z]{1,16}$/.test(method) ? method : 'another method');
