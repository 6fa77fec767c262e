import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { StatusAndReply } from '../openim/reply';
import { type SafeText, safeText } from '../openim/safe-text';

/** What the URL path says: `/<prefix>/<token>[/<command>]`, empty segments (`//`) ignored. */
export interface CallbackPath {
  token?: string;
  command?: string;
}

export const parseCallbackPath = (rawPath: string, prefix: string): CallbackPath => {
  const segments = rawPath.split('/').filter(Boolean);
  const prefixSegments = prefix.split('/').filter(Boolean);
  if (prefixSegments.some((segment, index) => segments[index] !== segment)) return {};
  const [token, ...rest] = segments.slice(prefixSegments.length);
  return {
    ...(token === undefined ? {} : { token }),
    ...(rest.length === 0 ? {} : { command: rest.join('/') }),
  };
};

/** The most of OpenIM's operationID kept in an event (UTF-8 bytes). */
export const MAX_OPERATION_ID_BYTES = 256;

/**
 * OpenIM's `operationID` header (on the wire `Operationid`; API Gateway lower-cases headers), ""
 * when absent. It is OpenIM's copy of the API caller's header, unchecked, and only a trace id: a
 * value too long or with control characters never refuses the callback, it is kept in a safe form
 * (`altered`), and the event says so.
 */
export const readOperationID = (headers: APIGatewayProxyEventV2['headers'] | undefined): SafeText => {
  const name = Object.keys(headers ?? {}).find((key) => key.toLowerCase() === 'operationid');
  const value = name === undefined ? '' : (headers?.[name] ?? '');
  return safeText(value, MAX_OPERATION_ID_BYTES);
};

/**
 * The header `npm run send` adds to mark its callback as test traffic: the event then carries
 * `synthetic: true`. OpenIM cannot add headers to a callback, so a real one never has it.
 */
export const SYNTHETIC_HEADER = 'x-openim-friend-events-synthetic';

/** Whether the request is marked as test traffic (`x-openim-friend-events-synthetic: 1`). */
export const isSynthetic = (headers: APIGatewayProxyEventV2['headers'] | undefined): boolean =>
  Object.entries(headers ?? {}).some(([name, value]) => name.toLowerCase() === SYNTHETIC_HEADER && value === '1');

/** Size of the body as sent, before any parsing (base64 decoded when API Gateway encoded it). */
export const bodyBytes = (event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): number =>
  event.body === undefined ? 0 : Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

/** When API Gateway received the request (now, if the event does not say). */
export const receivedAt = (event: Pick<APIGatewayProxyEventV2, 'requestContext'>): Date => {
  const epoch = event.requestContext?.timeEpoch;
  return typeof epoch === 'number' && Number.isFinite(epoch) ? new Date(epoch) : new Date();
};

/**
 * Identifies this one HTTP request: API Gateway's request id (unique per request), else the
 * Lambda invocation's (an event built without a request context).
 */
export const deliveryIdOf = (
  event: Pick<APIGatewayProxyEventV2, 'requestContext'>,
  context: Pick<Context, 'awsRequestId'>,
): string => {
  const requestId = event.requestContext?.requestId;
  return typeof requestId === 'string' && requestId !== '' ? requestId : context.awsRequestId;
};

/** `?command=` of v3.0-3.4.0 servers. */
export const queryCommand = (event: Pick<APIGatewayProxyEventV2, 'queryStringParameters'>): string | undefined =>
  event.queryStringParameters?.command;

/** The HTTP response API Gateway sends back: always JSON, always the five-key reply. */
export const toHttpResponse = ({ statusCode, reply }: StatusAndReply): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(reply),
});
