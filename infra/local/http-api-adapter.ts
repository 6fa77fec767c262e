import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
  options: { signal: AbortSignal },
) => Promise<APIGatewayProxyStructuredResultV2> | APIGatewayProxyStructuredResultV2 | undefined;

/** Bodies API Gateway (HTTP API) hands over as text; anything else arrives base64-encoded. */
const TEXT_CONTENT_TYPE =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript)\b|application\/x-www-form-urlencoded)/i;

/** Builds the HTTP API payload format 2.0 event that API Gateway would build for this request. */
export const toHttpApiEvent = (
  request: IncomingMessage,
  body: Buffer,
  receivedAt = Date.now(),
): APIGatewayProxyEventV2 => {
  const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
  // Only the query is parsed as a URL: a path such as `//` is not a valid URL with a base.
  const rawQueryString = (request.url ?? '').split('?').slice(1).join('?');
  const searchParams = new URLSearchParams(rawQueryString);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    ...(request.headers.cookie ? { cookies: request.headers.cookie.split('; ') } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(receivedAt).toUTCString(),
      timeEpoch: receivedAt,
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
};

const lambdaContext = (timeoutMs: number): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'openim-friend-events-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:openim-friend-events-local',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

export interface LocalServerOptions {
  port?: number;
  host?: string;
  /** The function timeout each invocation gets (the context's remaining time). @default 10 s, as deployed */
  invocationTimeoutMs?: number;
  onResponse?: (event: APIGatewayProxyEventV2, result: APIGatewayProxyStructuredResultV2, ms: number) => void;
}

/** Serves a Lambda HTTP API handler over a real socket, the way API Gateway invokes it. */
export const startLocalServer = async (
  handler: HttpApiHandler,
  options: LocalServerOptions = {},
): Promise<{ server: Server; url: string; close: () => Promise<void> }> => {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away before the body was complete: nothing to answer, nothing to invoke
    }
    const started = performance.now();
    try {
      const event = toHttpApiEvent(request, Buffer.concat(chunks));
      const context = lambdaContext(options.invocationTimeoutMs ?? 10_000);
      const result = await handler(event, context, { signal: new AbortController().signal });
      if (result === undefined) throw new Error('the handler returned nothing');
      options.onResponse?.(event, result, performance.now() - started);
      response.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
      response.end(result.isBase64Encoded ? Buffer.from(String(result.body), 'base64') : (result.body ?? ''));
    } catch {
      // What API Gateway does when the function itself fails.
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"message":"Internal Server Error"}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // EADDRINUSE and the like reach the caller
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
