import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { BOUNDS } from '../../functions/contract/settings';
import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { startLocalAws } from '../../infra/local/local-environment';

export const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstu';

/**
 * The widest budgets the function's environment accepts, for tests that start it from the
 * environment (the module's own `handler`, a spawned process). Handlers built here get `UNHURRIED`.
 */
export const TEST_SETTINGS = {
  PUBLISH_TIMEOUT_MS: String(BOUNDS.publishTimeoutMs[1]),
  REPLY_BUDGET_MS: String(BOUNDS.replyBudgetMs[1]),
};

/** The time a handler instance gets: its publish timeout, reply budget and token read timeout. */
export interface TestTimes {
  publishTimeoutMs: number;
  replyBudgetMs: number;
  tokenReadTimeoutMs: number;
}

/**
 * Time for tests that are not about time: far beyond what a loopback call needs on any machine,
 * however loaded, so that how fast it runs never decides an outcome. (The product's bounds keep a
 * user's settings under OpenIM's 5 s timeout; a test sets time for its own purpose.) A test about
 * time passes its own, or a fake clock. No test asserts how long a reply took: `npm run bench` does.
 */
export const UNHURRIED: TestTimes = { publishTimeoutMs: 60_000, replyBudgetMs: 120_000, tokenReadTimeoutMs: 60_000 };

/** A handler instance built like the deployed one from `env`, with `times` instead of the environment's. */
export const testHandler = async (env: Record<string, string | undefined>, times: TestTimes = UNHURRIED) => {
  const { buildHandler, createDependencies } = await import('../../functions/handlers/callback');
  const { loadCallbackConfig } = await import('../../functions/handlers/wiring/environment');
  const { publishTimeoutMs, replyBudgetMs, tokenReadTimeoutMs } = times;
  const config = { ...loadCallbackConfig(env), publishTimeoutMs, replyBudgetMs };
  return buildHandler(createDependencies(config, Date.now, tokenReadTimeoutMs));
};

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
  options: { signal: AbortSignal },
) => Promise<APIGatewayProxyStructuredResultV2> | APIGatewayProxyStructuredResultV2 | undefined;

export interface Harness {
  emulator: AwsEmulator;
  queueUrl: string;
  /** A handler built like the deployed one, from the environment plus `env`, with `times` (`UNHURRIED`). */
  handlerWith(env?: Record<string, string>, times?: TestTimes): Promise<Handler>;
  stop(): Promise<void>;
}

/** Starts the loopback AWS endpoint and points the SDK (through the environment) at it. */
export const startHarness = async (env: Record<string, string> = {}): Promise<Harness> => {
  const { emulator, queueUrl } = await startLocalAws({ token: TOKEN, env });
  return {
    emulator,
    queueUrl,
    handlerWith: (overrides = {}, times = UNHURRIED) => testHandler({ ...process.env, ...overrides }, times),
    stop: () => emulator.stop(),
  };
};

/**
 * This test file's harness: started before its tests, stopped after them. Before each test the
 * emulator is reset and a new handler built (a new instance: nothing, not even the circuit
 * breaker's state, carries over from one test to the next).
 */
export const useHarness = (env: Record<string, string> = TEST_SETTINGS) => {
  const context = {} as { harness: Harness; handler: Handler };
  beforeAll(async () => {
    context.harness = await startHarness(env);
  });
  beforeEach(async () => {
    context.harness.emulator.reset();
    context.handler = await context.harness.handlerWith();
  });
  afterAll(() => context.harness.stop());
  return context;
};

export interface EventOptions {
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  isBase64Encoded?: boolean;
  sourceIp?: string;
  method?: string;
  /** When API Gateway received it: now by default, as the reply budget counts from it. */
  timeEpoch?: number;
  /** API Gateway's id of the request: a new one for every event by default, as API Gateway gives. */
  requestId?: string;
}

/** The HTTP API (payload 2.0) event API Gateway builds for a callback. */
export const httpApiEvent = (options: EventOptions = {}): APIGatewayProxyEventV2 => {
  const rawPath = options.path ?? `/openim/${TOKEN}/callbackAfterAddFriendCommand`;
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: options.headers ?? { 'content-type': 'application/json; charset=utf-8', operationid: 'op-1' },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'test',
      http: {
        method: options.method ?? 'POST',
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '203.0.113.7',
        userAgent: 'Go-http-client/1.1',
      },
      requestId: options.requestId ?? randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(options.timeEpoch ?? Date.now()).toUTCString(),
      timeEpoch: options.timeEpoch ?? Date.now(),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
};

export const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '512',
  awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
  logGroupName: 'test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Invokes like Lambda does and returns the response with how long the reply took. */
export const invoke = async (handler: Handler, event: APIGatewayProxyEventV2) => {
  const started = performance.now();
  const response = await handler(event, lambdaContext(), { signal: new AbortController().signal });
  if (response === undefined) throw new Error('the handler returned nothing');
  return { response, ms: performance.now() - started, body: String(response.body) };
};

export const addFriendBody = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    callbackCommand: 'callbackAfterAddFriendCommand',
    fromUserID: '3958741620',
    toUserID: '6127384950',
    reqMsg: 'Hi',
    ...overrides,
  });

/** Captures what Powertools writes (JSON log lines and EMF metrics; errors and warnings go to stderr). */
export const captureOutput = () => {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      const callback = rest.at(-1);
      if (typeof callback === 'function') (callback as () => void)();
      return true;
    }) as typeof stream.write;
  }
  return {
    lines,
    json: () =>
      lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    restore: () => {
      streams.forEach((stream, index) => {
        stream.write = originals[index] as typeof stream.write;
      });
    },
  };
};

/** The operationIDs of the events in a recorded PutEvents request body. */
export const operationIDsIn = (putEventsBody: Record<string, unknown>): string[] =>
  ((putEventsBody.Entries ?? []) as { Detail: string }[]).map(
    (entry) => (JSON.parse(entry.Detail) as { operationID: string }).operationID,
  );
