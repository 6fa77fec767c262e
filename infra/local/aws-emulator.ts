import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  describeStacksXml,
  md5,
  queryErrorXml,
  queueMissing,
  readBody,
  reply,
  replyXml,
  signingService,
} from './aws-wire';

/**
 * A loopback endpoint that speaks the AWS JSON wire protocol of the few operations this product
 * uses: EventBridge PutEvents, SQS SendMessage/ReceiveMessage/DeleteMessage and Secrets Manager
 * GetSecretValue, plus CloudFormation DescribeStacks (AWS Query protocol) for the CLIs that read
 * stack outputs. The real SDK talks to it through `AWS_ENDPOINT_URL`. It powers `npm start`
 * and is the fixture of the integration tests, with programmable faults.
 */

export type Operation =
  | 'PutEvents'
  | 'SendMessage'
  | 'ReceiveMessage'
  | 'DeleteMessage'
  | 'GetSecretValue'
  | 'DescribeStacks';

/** How one request goes wrong. */
export type Fault =
  | 'server-error' // HTTP 500 InternalException
  | 'throttle' // HTTP 400 ThrottlingException
  | 'failed-entries' // PutEvents HTTP 200 with every entry failed (InternalFailure)
  | { failEntry: (entry: Record<string, unknown>) => boolean } // PutEvents HTTP 200, matching entries failed
  | 'reset' // the connection is destroyed without an answer
  | 'hang' // never answered (until the emulator stops)
  | { delayMs: number }; // answered normally, late

export interface StoredEvent {
  eventId: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time: string | undefined;
}

export interface StoredMessage {
  messageId: string;
  body: string;
  receiptHandle: string | undefined;
  invisibleUntil: number;
}

export interface RecordedRequest {
  operation: Operation;
  /** The service name in the SigV4 credential scope: proves the SDK signed it as that service. */
  signingService: string | undefined;
  body: Record<string, unknown>;
}

const TARGETS: Record<string, Operation> = {
  'AWSEvents.PutEvents': 'PutEvents',
  'AmazonSQS.SendMessage': 'SendMessage',
  'AmazonSQS.ReceiveMessage': 'ReceiveMessage',
  'AmazonSQS.DeleteMessage': 'DeleteMessage',
  'secretsmanager.GetSecretValue': 'GetSecretValue',
};

export class AwsEmulator {
  readonly events: StoredEvent[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly queues = new Map<string, StoredMessage[]>();
  /** Stack name to its outputs, for DescribeStacks. */
  readonly stacks = new Map<string, Record<string, string>>();
  /** Secret id (name or ARN) to its current and, after a rotation, previous value. */
  readonly secrets = new Map<string, { current: string; previous?: string }>();
  /** Decides a fault for every request (random faults in tests); consulted after `injectFault`. */
  faultPolicy: ((operation: Operation, body: Record<string, unknown>) => Fault | undefined) | undefined;

  private readonly queuedFaults = new Map<Operation, Fault[]>();
  private readonly eventListeners: ((event: StoredEvent) => void)[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private baseUrl = '';

  get url(): string {
    return this.baseUrl;
  }

  queueUrl(name: string): string {
    const url = `${this.baseUrl}/000000000000/${name}`;
    if (!this.queues.has(url)) this.queues.set(url, []);
    return url;
  }

  messages(queueUrl: string): StoredMessage[] {
    return this.queues.get(queueUrl) ?? [];
  }

  /** The next `times` requests of `operation` fail with `fault`. */
  injectFault(operation: Operation, fault: Fault, times = 1): void {
    const queued = this.queuedFaults.get(operation) ?? [];
    queued.push(...Array<Fault>(times).fill(fault));
    this.queuedFaults.set(operation, queued);
  }

  clearFaults(): void {
    this.queuedFaults.clear();
    this.faultPolicy = undefined;
  }

  /** Back to a clean state between tests: no faults, no events, requests or messages. */
  reset(): void {
    this.clearFaults();
    this.events.length = 0;
    this.requests.length = 0;
    for (const url of this.queues.keys()) this.queues.set(url, []);
  }

  onEvent(listener: (event: StoredEvent) => void): void {
    this.eventListeners.push(listener);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        reply(response, 500, { __type: 'InternalException', message: String(error) });
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    this.server = server;
    this.baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
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
    if (String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return this.query(request, new URLSearchParams(raw), response);
    }
    const operation = TARGETS[String(request.headers['x-amz-target'])];
    if (request.method !== 'POST' || operation === undefined) {
      reply(response, 400, { __type: 'UnknownOperationException', message: 'unsupported operation' });
      return;
    }
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    this.requests.push({ operation, signingService: signingService(request), body });

    const fault = this.queuedFaults.get(operation)?.shift() ?? this.faultPolicy?.(operation, body);
    if (fault !== undefined && fault !== 'failed-entries' && !(typeof fault === 'object' && 'failEntry' in fault)) {
      if (fault === 'reset') return void request.socket.destroy();
      if (fault === 'hang') return void this.hanging.add(response);
      if (fault === 'server-error') return reply(response, 500, { __type: 'InternalException', message: 'injected' });
      if (fault === 'throttle')
        return reply(response, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (response.destroyed || request.socket.destroyed) return;
    }
    const failEntry =
      fault === 'failed-entries'
        ? () => true
        : typeof fault === 'object' && 'failEntry' in fault
          ? fault.failEntry
          : () => false;
    const [status, result] = this.operate(operation, body, failEntry);
    reply(response, status, result);
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

  private operate(
    operation: Operation,
    body: Record<string, unknown>,
    failEntry: (entry: Record<string, unknown>) => boolean,
  ): [number, unknown] {
    switch (operation) {
      case 'PutEvents':
        return [200, this.putEvents(body, failEntry)];
      case 'SendMessage':
        return this.sendMessage(body);
      case 'ReceiveMessage':
        return this.receiveMessage(body);
      case 'DeleteMessage':
        return this.deleteMessage(body);
      case 'GetSecretValue':
        return this.getSecretValue(body);
      case 'DescribeStacks':
        return [400, { __type: 'UnknownOperationException', message: 'DescribeStacks speaks the Query protocol' }];
    }
  }

  private putEvents(body: Record<string, unknown>, failEntry: (entry: Record<string, unknown>) => boolean) {
    const entries = (body.Entries ?? []) as Record<string, unknown>[];
    const results = entries.map((entry) => {
      if (failEntry(entry)) return { ErrorCode: 'InternalFailure', ErrorMessage: 'injected failure' };
      const event: StoredEvent = {
        eventId: randomUUID(),
        eventBusName: String(entry.EventBusName ?? 'default'),
        source: String(entry.Source),
        detailType: String(entry.DetailType),
        detail: JSON.parse(String(entry.Detail)) as Record<string, unknown>,
        time: typeof entry.Time === 'number' ? new Date(entry.Time * 1000).toISOString() : undefined,
      };
      this.events.push(event);
      for (const listener of this.eventListeners) listener(event);
      return { EventId: event.eventId };
    });
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  }

  private queue(body: Record<string, unknown>): StoredMessage[] | undefined {
    return this.queues.get(String(body.QueueUrl));
  }

  private sendMessage(body: Record<string, unknown>): [number, unknown] {
    const queue = this.queue(body);
    if (!queue) return queueMissing();
    const message = {
      messageId: randomUUID(),
      body: String(body.MessageBody),
      receiptHandle: undefined,
      invisibleUntil: 0,
    };
    queue.push(message);
    return [200, { MessageId: message.messageId, MD5OfMessageBody: md5(message.body) }];
  }

  private receiveMessage(body: Record<string, unknown>): [number, unknown] {
    const queue = this.queue(body);
    if (!queue) return queueMissing();
    const now = Date.now();
    const visibilityMs = Number(body.VisibilityTimeout ?? 30) * 1000;
    const visible = queue.filter((message) => message.invisibleUntil <= now);
    const taken = visible.slice(0, Number(body.MaxNumberOfMessages ?? 1));
    for (const message of taken) {
      message.receiptHandle = randomUUID();
      message.invisibleUntil = now + visibilityMs;
    }
    return [
      200,
      {
        Messages: taken.map((message) => ({
          MessageId: message.messageId,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: md5(message.body),
          Body: message.body,
        })),
      },
    ];
  }

  private deleteMessage(body: Record<string, unknown>): [number, unknown] {
    const queue = this.queue(body);
    if (!queue) return queueMissing();
    const index = queue.findIndex((message) => message.receiptHandle === body.ReceiptHandle);
    if (index >= 0) queue.splice(index, 1);
    return [200, {}];
  }

  private getSecretValue(body: Record<string, unknown>): [number, unknown] {
    const id = String(body.SecretId);
    const secret = this.secrets.get(id);
    const stage = String(body.VersionStage ?? 'AWSCURRENT');
    const value = stage === 'AWSPREVIOUS' ? secret?.previous : secret?.current;
    if (value === undefined) {
      return [400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find ${stage} of ${id}` }];
    }
    return [200, { ARN: id, Name: id, SecretString: value, VersionId: randomUUID(), VersionStages: [stage] }];
  }
}
