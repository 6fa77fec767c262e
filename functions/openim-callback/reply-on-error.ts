import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CallbackError, MalformedBodyError, UnsupportedContentTypeError } from '../openim/errors';
import { refusalReply } from '../openim/reply';
import { readOperationID } from './callback-request';
import { toHttpResponse } from './http-reply';
import { type InvocationContext, startOf } from './invocation-start';
import type { CallbackTelemetry } from './telemetry';

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

/** The operationID for the log line; a malformed header is logged as "" (it is the error). */
const operationIdOf = (event: APIGatewayProxyEventV2): string => {
  try {
    return readOperationID(event.headers);
  } catch {
    return '';
  }
};

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
