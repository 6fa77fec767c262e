import { writeFileSync } from 'node:fs';
import type { Fault } from '../../infra/local/aws-emulator';
import { startLocalAws } from '../../infra/local/local-environment';

/**
 * Child process of the benchmark: OpenIM's callback sender (v3.7+: docs/runbook.md, capacity)
 * in front of the real handler. One OpenIM process: a buffer of 100 callbacks drained by 2
 * workers, each POST tried once with a 5 s timeout; users' friend operations enqueue at a steady
 * rate, and when the buffer is full each one blocks up to 3 s, then the callback is dropped.
 * Each worker has its own handler instance (`createHandler` of the bundle), as one Lambda
 * instance serves one request at a time; the handler talks through the real SDK to a loopback
 * emulator whose EventBridge is healthy, hangs or throttles. SQS is always healthy.
 * Settings from the environment: BUNDLE, SECONDS, RATE (callbacks/s), RESULT_FILE.
 */
const BUFFER_SIZE = 100;
const WORKERS = 2;
const POST_TIMEOUT_MS = 5_000;
const ENQUEUE_WAIT_MS = 3_000;
const TOKEN = 'bench-token-abcdefghijklmnopqrstuvwxyz0123456';
const { BUNDLE = '', SECONDS = '20', RATE = '20', RESULT_FILE = '' } = process.env;

const CONDITIONS = {
  'EventBridge healthy': undefined,
  'EventBridge hangs': 'hang',
  'EventBridge throttles': 'throttle',
} as const satisfies Record<string, Fault | undefined>;

export interface ConditionResult {
  sent: number;
  dropped: number;
  blocked: number;
  accepted: number;
  timedOut: number;
  lost: number;
  published: number;
  parked: number;
  putEventsAttempts: number;
  replyMs: number[];
}

type Reply = { statusCode: number; body: string };
type Handler = (event: unknown, context: unknown) => Promise<Reply>;

/** OpenIM's buffered channel: `put` blocks while it is full (up to a limit), `take` while it is empty. */
class CallbackBuffer<T> {
  private readonly items: T[] = [];
  private readonly waitingPuts: (() => void)[] = [];
  private readonly waitingTakes: ((item: T | undefined) => void)[] = [];
  private closed = false;

  constructor(private readonly capacity: number) {}

  /** `queued` at once, `waited` for room and got it, or `dropped` after `waitMs`. */
  put(item: T, waitMs: number): Promise<'queued' | 'waited' | 'dropped'> {
    if (this.offer(item)) return Promise.resolve('queued');
    return new Promise((resolve) => {
      const onRoom = () => {
        clearTimeout(timer);
        this.offer(item);
        resolve('waited');
      };
      const timer = setTimeout(() => {
        this.waitingPuts.splice(this.waitingPuts.indexOf(onRoom), 1);
        resolve('dropped');
      }, waitMs);
      this.waitingPuts.push(onRoom);
    });
  }

  /** The next item; `undefined` once closed and empty. */
  take(): Promise<T | undefined> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.waitingPuts.shift()?.();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waitingTakes.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const take of this.waitingTakes.splice(0)) take(undefined);
  }

  private offer(item: T): boolean {
    const take = this.waitingTakes.shift();
    if (take) take(item);
    else if (this.items.length < this.capacity) this.items.push(item);
    else return false;
    return true;
  }
}

// The loopback AWS stand-in of `npm start`, with the SDK pointed at it through the environment.
const { emulator, queueUrl: retryQueueUrl } = await startLocalAws({ token: TOKEN });
const { createHandler } = (await import(BUNDLE)) as { createHandler: () => Promise<Handler> };
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };

/** API Gateway's event for one callback, received now. */
const callbackEvent = (operationID: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: `/openim/${TOKEN}/callbackAfterAddFriendCommand`,
  rawQueryString: '',
  headers: { 'content-type': 'application/json; charset=utf-8', operationid: operationID },
  requestContext: {
    http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Go-http-client/1.1' },
    timeEpoch: Date.now(),
  },
  body: '{"callbackCommand":"callbackAfterAddFriendCommand","fromUserID":"3958741620","toUserID":"6127384950","reqMsg":"Hi"}\n',
  isBase64Encoded: false,
});

const isAccepted = (reply: Reply): boolean => {
  const body = JSON.parse(reply.body) as { actionCode?: unknown; errCode?: unknown };
  return reply.statusCode === 200 && body.actionCode === 0 && body.errCode === 0;
};

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));

const runCondition = async (label: string, fault: Fault | undefined): Promise<ConditionResult> => {
  emulator.reset();
  emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? fault : undefined);
  const handlers = await Promise.all(Array.from({ length: WORKERS }, () => createHandler()));
  const buffer = new CallbackBuffer<string>(BUFFER_SIZE);
  const result: ConditionResult = {
    sent: 0,
    dropped: 0,
    blocked: 0,
    accepted: 0,
    timedOut: 0,
    lost: 0,
    published: 0,
    parked: 0,
    putEventsAttempts: 0,
    replyMs: [],
  };
  // A POST that OpenIM gave up on still runs to its end in the handler: wait for it before counting.
  const invocations: Promise<unknown>[] = [];

  const worker = async (handler: Handler) => {
    for (let operationID = await buffer.take(); operationID !== undefined; operationID = await buffer.take()) {
      result.sent += 1;
      const started = performance.now();
      const invocation = handler(callbackEvent(operationID), context);
      invocations.push(invocation.catch(() => undefined));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), POST_TIMEOUT_MS);
      });
      const reply = await Promise.race([invocation, timeout]).finally(() => clearTimeout(timer));
      result.replyMs.push(performance.now() - started);
      if (reply === 'timeout') result.timedOut += 1;
      else if (isAccepted(reply)) result.accepted += 1;
    }
  };
  const workers = handlers.map(worker);

  const userCalls: Promise<void>[] = [];
  const total = Math.round(Number(SECONDS) * Number(RATE));
  const start = performance.now();
  for (let index = 0; index < total; index += 1) {
    await sleepUntil(start + (index * 1000) / Number(RATE));
    userCalls.push(
      buffer.put(`bench-${label.replace(/\W+/g, '-')}-${index}`, ENQUEUE_WAIT_MS).then((outcome) => {
        if (outcome !== 'queued') result.blocked += 1;
        if (outcome === 'dropped') result.dropped += 1;
      }),
    );
  }
  await Promise.all(userCalls);
  buffer.close();
  await Promise.all(workers);
  await Promise.all(invocations);

  const published = new Set(emulator.events.map((event) => String(event.detail.operationID)));
  const parked = new Set(
    emulator.messages(retryQueueUrl).map((message) => {
      const { entry } = JSON.parse(message.body) as { entry: { Detail: string } };
      return String((JSON.parse(entry.Detail) as { operationID: unknown }).operationID);
    }),
  );
  result.published = published.size;
  result.parked = parked.size;
  result.lost = result.sent - new Set([...published, ...parked]).size;
  result.putEventsAttempts = emulator.requests.filter((request) => request.operation === 'PutEvents').length;
  return result;
};

const results: Record<string, ConditionResult> = {};
for (const [label, fault] of Object.entries(CONDITIONS)) results[label] = await runCondition(label, fault);
writeFileSync(RESULT_FILE, JSON.stringify(results));
await emulator.stop();
process.exit(0);
