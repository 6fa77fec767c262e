import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { isPlainText, MAX_USER_ID_BYTES } from '../openim/callback-body';
import type { StatusAndReply } from '../openim/reply';
import { InvalidFieldError } from '../openim/reply';

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

/** OpenIM sends `operationID` (on the wire `Operationid`); API Gateway lower-cases headers. */
export const readOperationID = (headers: APIGatewayProxyEventV2['headers'] | undefined): string => {
  const name = Object.keys(headers ?? {}).find((key) => key.toLowerCase() === 'operationid');
  const value = name === undefined ? '' : (headers?.[name] ?? '');
  if (Buffer.byteLength(value, 'utf8') > MAX_USER_ID_BYTES) {
    throw new InvalidFieldError(`operationID header: at most ${MAX_USER_ID_BYTES} bytes`);
  }
  // It becomes part of every event and its idempotency key: plain text only, like a user ID.
  if (!isPlainText(value)) throw new InvalidFieldError('operationID header: expected text without control characters');
  return value;
};

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
