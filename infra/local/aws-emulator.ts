import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operate, type Services, TARGETS } from './aws-operations';
import {
  describeStacksXml,
  parseJsonBody,
  queryErrorXml,
  readBody,
  reply,
  replyXml,
  signingService,
  type WireReply,
} from './aws-wire';
import { EventBridgeBus, type StoredEvent } from './eventbridge-bus';
import { EventBridgeRules } from './eventbridge-rules';
import {
  FAULTS_PATH,
  type Fault,
  isConnectionFault,
  type NamedFault,
  type Operation,
  Outages,
  parseOutageRequest,
} from './fault-control';
import { type QueueSettings, SqsQueues, type StoredMessage } from './sqs-queues';

export type { StoredEvent } from './eventbridge-bus';
export type { Fault, Operation } from './fault-control';
export type { QueueSettings, StoredMessage } from './sqs-queues';

/**
 * A loopback endpoint that speaks the AWS JSON wire protocol of the few operations this product
 * uses (`aws-operations.ts`): EventBridge PutEvents and rules with SQS targets
 * (`eventbridge-rules.ts`), the SQS calls of a queue drainer and of a temporary queue
 * (`sqs-queues.ts`) and Secrets Manager GetSecretValue and PutSecretValue, plus CloudFormation DescribeStacks (AWS
 * Query protocol) for the CLIs that read stack outputs; other services plug in by target prefix
 * (`serve`: DynamoDB, Step Functions). It enforces the AWS limits the code relies on
 * (`aws-limits.ts`). The real SDK talks to it through `AWS_ENDPOINT_URL`. It powers `npm start`
 * and is the fixture of the integration tests, with programmable faults, also over HTTP
 * (`POST /_local/faults`).
 */

/** A service answered on the emulator's endpoint: it writes the whole response itself. */
export type ServiceHandler = (call: {
  target: string;
  raw: string;
  request: IncomingMessage;
  response: ServerResponse;
}) => Promise<void> | void;

export interface RecordedRequest {
  operation: Operation;
  /** The service name in the SigV4 credential scope: proves the SDK signed it as that service. */
  signingService: string | undefined;
  body: Record<string, unknown>;
}

/** One answered call, for observers (the local console). */
export interface AnsweredCall {
  operation: Operation;
  body: Record<string, unknown>;
  status: number;
  result: unknown;
}

export class AwsEmulator {
  readonly requests: RecordedRequest[] = [];
  /** Stack name to its outputs, for DescribeStacks. */
  readonly stacks = new Map<string, Record<string, string>>();
  /** Secret id (name or ARN) to its current and, after a rotation, previous value. */
  readonly secrets = new Map<string, { current: string; previous?: string }>();
  /** Decides a fault for every request (random faults in tests); consulted after `injectFault`. */
  faultPolicy: ((operation: Operation, body: Record<string, unknown>) => Fault | undefined) | undefined;

  private readonly queuedFaults = new Map<Operation, Fault[]>();
  private readonly now: () => number;
  private readonly outages: Outages;
  private readonly sqs: SqsQueues;
  private readonly bus = new EventBridgeBus();
  private readonly rules: EventBridgeRules;
  private readonly callListeners: ((call: AnsweredCall) => void)[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private readonly services = new Map<string, ServiceHandler>();
  private server: Server | undefined;
  private baseUrl = '';

  /** `now` is the clock of visibility timeouts, timestamps and outages (a fake one in tests). */
  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.outages = new Outages(this.now);
    this.sqs = new SqsQueues(this.now);
    this.rules = new EventBridgeRules({
      urlOf: (arn) => this.sqs.urlOf(arn),
      policyOf: (url) => this.sqs.settings(url)?.policy,
      enqueue: (url, body) => void this.sqs.enqueue(url, body),
    });
    this.bus.onEvent(this.rules.deliver);
  }

  get url(): string {
    return this.baseUrl;
  }

  /** The events PutEvents accepted, in order. */
  get events(): StoredEvent[] {
    return this.bus.events;
  }

  /** The URL of queue `name`, created with default settings if it does not exist yet. */
  queueUrl(name: string): string {
    const url = `${this.baseUrl}/000000000000/${name}`;
    if (!this.sqs.has(url)) this.sqs.create(url);
    return url;
  }

  /** Declares queue `name` with settings (a lower maximum message size, a redrive policy). */
  createQueue(name: string, settings: QueueSettings = {}): string {
    const url = `${this.baseUrl}/000000000000/${name}`;
    this.sqs.create(url, settings);
    return url;
  }

  /** The URLs of the queues that exist. */
  queueUrls(): string[] {
    return this.sqs.urls();
  }

  /** The names of the rules on a bus made through PutRule. */
  ruleNames(eventBusName: string): string[] {
    return this.rules.names(eventBusName);
  }

  /** Events a rule matched but could not deliver to its target (and why). */
  get undelivered(): EventBridgeRules['undelivered'] {
    return this.rules.undelivered;
  }

  messages(queueUrl: string): StoredMessage[] {
    return this.sqs.messages(queueUrl);
  }

  /** Puts a message into a queue directly, as a SendMessage would. */
  enqueue(queueUrl: string, body: string): StoredMessage {
    return this.sqs.enqueue(queueUrl, body);
  }

  /** Every request of `operation` fails with `fault` until `untilMs` (epoch ms of the emulator's clock). */
  failUntil(operation: Operation, fault: NamedFault, untilMs: number): void {
    this.outages.failUntil(operation, fault, untilMs);
  }

  /** The next `times` requests of `operation` fail with `fault`. */
  injectFault(operation: Operation, fault: Fault, times = 1): void {
    const queued = this.queuedFaults.get(operation) ?? [];
    queued.push(...Array<Fault>(times).fill(fault));
    this.queuedFaults.set(operation, queued);
  }

  clearFaults(): void {
    this.queuedFaults.clear();
    this.outages.clear();
    this.faultPolicy = undefined;
  }

  /** Back to a clean state between tests: no faults, no events, requests or messages. */
  reset(): void {
    this.clearFaults();
    this.events.length = 0;
    this.requests.length = 0;
    this.sqs.clear();
  }

  onEvent(listener: (event: StoredEvent) => void): void {
    this.bus.onEvent(listener);
  }

  /** Every call answered (after the answer is computed), for observers such as the local console. */
  onCall(listener: (call: AnsweredCall) => void): void {
    this.callListeners.push(listener);
  }

  /** Messages SQS moves to a dead-letter queue by a redrive policy (they make no call). */
  onMovedToDeadLetterQueue(listener: (message: StoredMessage, fromQueueUrl: string) => void): void {
    this.sqs.onMovedToDeadLetterQueue = listener;
  }

  /** Answers the operations of another service (by `X-Amz-Target` prefix, e.g. `AWSStepFunctions.`) on this endpoint. */
  serve(targetPrefix: string, handler: ServiceHandler): void {
    this.services.set(targetPrefix, handler);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        reply(response, 500, { __type: 'InternalException', message: String(error) });
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject); // EADDRINUSE and the like reach the caller
      server.listen(port, host, resolve);
    });
    this.server = server;
    this.baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.sqs.endWaits();
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    if (request.url === FAULTS_PATH) return reply(response, ...this.controlFaults(request.method, raw));
    if (String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return this.query(request, new URLSearchParams(raw), response);
    }
    const target = String(request.headers['x-amz-target']);
    const service = [...this.services].find(([prefix]) => target.startsWith(prefix))?.[1];
    if (service) return service({ target, raw, request, response });
    const operation = TARGETS[target];
    if (request.method !== 'POST' || operation === undefined) {
      reply(response, 400, { __type: 'UnknownOperationException', message: 'unsupported operation' });
      return;
    }
    const body = parseJsonBody(raw);
    if (body === undefined) {
      // What an AWS JSON service answers for a body that is not JSON (the SDK writes an invalid Date as NaN).
      return reply(response, 400, { __type: 'com.amazon.coral.service#SerializationException', Message: null });
    }
    this.requests.push({ operation, signingService: signingService(request), body });

    const fault =
      this.queuedFaults.get(operation)?.shift() ??
      this.outages.current(operation) ??
      this.faultPolicy?.(operation, body);
    if (fault !== undefined && isConnectionFault(fault)) {
      if (fault === 'reset') return void request.socket.destroy();
      if (fault === 'hang') return void this.hanging.add(response);
      if (fault === 'server-error') return reply(response, 500, { __type: 'InternalException', message: 'injected' });
      if (fault === 'throttle')
        return reply(response, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    }
    // A request AWS has received is carried out even when its caller stops waiting for the answer
    // (a client timeout during a delay): the event is on the bus, and the caller may park a copy.
    const [status, result, headers] = await operate(this.awsServices(), operation, body, fault);
    for (const listener of this.callListeners) listener({ operation, body, status, result });
    if (response.destroyed || request.socket.destroyed) return;
    reply(response, status, result, headers);
  }

  /** `POST /_local/faults` starts an outage, `GET` lists them, `DELETE` ends every fault. */
  private controlFaults(method: string | undefined, raw: string): WireReply {
    if (method === 'DELETE') {
      this.clearFaults();
      return [200, { outages: [] }];
    }
    if (method === 'GET') return [200, { outages: this.outages.list() }];
    if (method !== 'POST') return [405, { message: 'use POST, GET or DELETE' }];
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return [400, { message: 'the body is not JSON' }];
    }
    const request = parseOutageRequest(json);
    if ('error' in request) return [400, { message: request.error }];
    this.failUntil(request.operation, request.fault, this.now() + request.seconds * 1000);
    return [200, { outages: this.outages.list() }];
  }

  /** AWS Query protocol (CloudFormation): form-encoded request, XML response. */
  private query(request: IncomingMessage, params: URLSearchParams, response: ServerResponse): void {
    const body = Object.fromEntries(params);
    if (body.Action !== 'DescribeStacks') {
      replyXml(response, 400, queryErrorXml('InvalidAction', 'unsupported action'));
      return;
    }
    this.requests.push({ operation: 'DescribeStacks', signingService: signingService(request), body });
    const name = String(body.StackName);
    const outputs = this.stacks.get(name);
    if (outputs === undefined) {
      replyXml(response, 400, queryErrorXml('ValidationError', `Stack with id ${name} does not exist`));
      return;
    }
    replyXml(response, 200, describeStacksXml(name, outputs));
  }

  private awsServices(): Services {
    return { bus: this.bus, rules: this.rules, sqs: this.sqs, secrets: this.secrets, endpoint: this.baseUrl };
  }
}
