import { randomUUID } from 'node:crypto';
import { SQS_MAX_MESSAGE_BYTES, sqsBodyCharacterViolation, sqsMessageBytes } from './aws-limits';
import { md5, queueMissing, sqsError, type WireReply } from './aws-wire';
import { LOCAL_ACCOUNT } from './event-envelope';
import {
  type QueueSettings,
  queueArnOf,
  queueAttributes,
  requestedAttributes,
  systemAttributes,
  withAttributes,
} from './sqs-attributes';

export type { QueueSettings } from './sqs-attributes';

/**
 * The SQS queues of the loopback emulator: CreateQueue, DeleteQueue, Get/SetQueueAttributes,
 * SendMessage, ReceiveMessage (long polling, visibility timeout, receive counts, system attributes),
 * DeleteMessage, ChangeMessageVisibility, the batch forms of the last two, and redrive to a
 * dead-letter queue after `maxReceiveCount` receives.
 */

export interface StoredMessage {
  messageId: string;
  body: string;
  receiptHandle: string | undefined;
  /** Epoch ms until which the message is hidden from receives. */
  invisibleUntil: number;
  receiveCount: number;
  sentTimestamp: number;
  firstReceiveTimestamp: number | undefined;
}

type Body = Record<string, unknown>;

const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
const MAX_BATCH_ENTRIES = 10;
const MAX_WAIT_TIME_SECONDS = 20;

export class SqsQueues {
  private readonly queues = new Map<string, { messages: StoredMessage[]; settings: QueueSettings }>();
  /** Called when SQS moves a message to its dead-letter queue by the redrive policy (the local console). */
  onMovedToDeadLetterQueue: ((message: StoredMessage, fromUrl: string) => void) | undefined;
  /** The long polls waiting for a message, by queue URL: each is woken when one may be there. */
  private readonly waiting = new Map<string, Set<(more: boolean) => void>>();

  constructor(private readonly now: () => number) {}

  /** Declares a queue (or changes its settings); its messages are kept. */
  create(url: string, settings: QueueSettings = {}): void {
    const queue = this.queues.get(url);
    if (queue) queue.settings = settings;
    else this.queues.set(url, { messages: [], settings });
  }

  has(url: string): boolean {
    return this.queues.has(url);
  }

  urls(): string[] {
    return [...this.queues.keys()];
  }

  /** The URL of the queue with this ARN, if it exists. */
  urlOf(arn: string): string | undefined {
    return [...this.queues.keys()].find((url) => queueArnOf(url) === arn);
  }

  settings(url: string): QueueSettings | undefined {
    return this.queues.get(url)?.settings;
  }

  /** CreateQueue: `<endpoint>/<account>/<QueueName>`; an existing queue answers its URL. */
  createQueue(body: Body, endpoint: string): WireReply {
    const name = String(body.QueueName ?? '');
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      return invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const url = `${endpoint}/${LOCAL_ACCOUNT}/${name}`;
    const settings = withAttributes(this.queues.get(url)?.settings ?? {}, body.Attributes as Record<string, unknown>);
    if (Array.isArray(settings)) return settings;
    this.create(url, settings);
    return [200, { QueueUrl: url }];
  }

  deleteQueue(body: Body): WireReply {
    if (!this.queues.delete(String(body.QueueUrl))) return queueMissing();
    return [200, {}];
  }

  setQueueAttributes(body: Body): WireReply {
    const url = String(body.QueueUrl);
    const queue = this.queues.get(url);
    if (!queue) return queueMissing();
    const settings = withAttributes(queue.settings, body.Attributes as Record<string, unknown>);
    if (Array.isArray(settings)) return settings;
    queue.settings = settings;
    return [200, {}];
  }

  messages(url: string): StoredMessage[] {
    return this.queues.get(url)?.messages ?? [];
  }

  /** Puts a message straight into a queue, as a SendMessage would. */
  enqueue(url: string, body: string): StoredMessage {
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      receiptHandle: undefined,
      invisibleUntil: 0,
      receiveCount: 0,
      sentTimestamp: this.now(),
      firstReceiveTimestamp: undefined,
    };
    this.messages(url).push(message);
    this.wake(url);
    return message;
  }

  /** Empties every queue; the queues and their settings stay. */
  clear(): void {
    for (const queue of this.queues.values()) queue.messages.length = 0;
  }

  sendMessage(body: Body): WireReply {
    const queue = this.queues.get(String(body.QueueUrl));
    if (!queue) return queueMissing();
    const text = String(body.MessageBody ?? '');
    const badCharacter = sqsBodyCharacterViolation(text);
    if (badCharacter) return sqsError('InvalidMessageContents', badCharacter);
    const limit = Math.min(queue.settings.maximumMessageSize ?? SQS_MAX_MESSAGE_BYTES, SQS_MAX_MESSAGE_BYTES);
    if (sqsMessageBytes(text, body.MessageAttributes as Parameters<typeof sqsMessageBytes>[1]) > limit) {
      return invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
      );
    }
    const message = this.enqueue(String(body.QueueUrl), text);
    return [200, { MessageId: message.messageId, MD5OfMessageBody: md5(message.body) }];
  }

  /**
   * ReceiveMessage. With `WaitTimeSeconds` (a long poll, as the retry drainer's event source
   * makes it), an empty answer waits until a message can be received or the time is up, as SQS
   * does: a poller that got every empty answer at once would spin a core on an idle queue.
   */
  async receiveMessage(body: Body): Promise<WireReply> {
    const waitSeconds = Number(body.WaitTimeSeconds ?? 0);
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_TIME_SECONDS) {
      return invalidParameter(
        `Value ${String(body.WaitTimeSeconds)} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= ${MAX_WAIT_TIME_SECONDS}, if provided.`,
      );
    }
    const url = String(body.QueueUrl);
    const waitUntil = performance.now() + waitSeconds * 1000;
    for (;;) {
      const reply = this.receiveNow(body);
      const [status, result] = reply;
      const left = waitUntil - performance.now();
      if (status !== 200 || (result as { Messages: unknown[] }).Messages.length > 0 || left <= 0) return reply;
      // In flight messages come back at the end of their visibility timeout: look again then.
      const nextVisible = Math.min(...this.messages(url).map((message) => message.invisibleUntil - this.now()));
      if (!(await this.waitForMessage(url, Math.max(1, Math.min(left, nextVisible))))) return reply;
    }
  }

  /**
   * Resolves after `ms` or when a message arrives in the queue (true), or when `endWaits()` ends
   * every wait (false).
   */
  private waitForMessage(url: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiters = this.waiting.get(url) ?? new Set<(more: boolean) => void>();
      this.waiting.set(url, waiters);
      const waiter = (more: boolean) => {
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(more);
      };
      const timer = setTimeout(() => waiter(true), ms);
      waiters.add(waiter);
    });
  }

  /** Wakes the long polls waiting on this queue. */
  private wake(url: string): void {
    for (const waiter of [...(this.waiting.get(url) ?? [])]) waiter(true);
  }

  /** Answers every waiting long poll now, empty (the endpoint is stopping). */
  endWaits(): void {
    for (const waiters of this.waiting.values()) for (const waiter of [...waiters]) waiter(false);
  }

  private receiveNow(body: Body): WireReply {
    const url = String(body.QueueUrl);
    const queue = this.queues.get(url);
    if (!queue) return queueMissing();
    const now = this.now();
    const visibilitySeconds = Number(body.VisibilityTimeout ?? queue.settings.visibilityTimeout ?? 30);
    const wanted = Number(body.MaxNumberOfMessages ?? 1);
    const taken: StoredMessage[] = [];
    for (const message of [...queue.messages]) {
      if (taken.length === wanted) break;
      if (message.invisibleUntil > now) continue;
      const redrive = queue.settings.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount && this.moveTo(url, message, redrive)) continue;
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.receiptHandle = randomUUID();
      message.invisibleUntil = now + visibilitySeconds * 1000;
      taken.push(message);
    }
    const asked = requestedAttributes(body);
    return [
      200,
      {
        Messages: taken.map((message) => ({
          MessageId: message.messageId,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: md5(message.body),
          Body: message.body,
          ...(asked.length > 0 ? { Attributes: systemAttributes(message, asked) } : {}),
        })),
      },
    ];
  }

  deleteMessage(body: Body): WireReply {
    const queue = this.queues.get(String(body.QueueUrl));
    if (!queue) return queueMissing();
    const index = queue.messages.findIndex((message) => message.receiptHandle === body.ReceiptHandle);
    if (index >= 0) queue.messages.splice(index, 1);
    return [200, {}];
  }

  /** The attributes asked for (`All` for every one the emulator keeps). */
  getQueueAttributes(body: Body): WireReply {
    const url = String(body.QueueUrl);
    const queue = this.queues.get(url);
    if (!queue) return queueMissing();
    const attributes = queueAttributes(url, queue.settings);
    const names = (body.AttributeNames ?? []) as string[];
    const wanted = names.includes('All') ? Object.keys(attributes) : names;
    return [
      200,
      {
        Attributes: Object.fromEntries(
          wanted.flatMap((name) => (name in attributes ? [[name, attributes[name]]] : [])),
        ),
      },
    ];
  }

  changeMessageVisibility(body: Body): WireReply {
    const queue = this.queues.get(String(body.QueueUrl));
    if (!queue) return queueMissing();
    const error = this.changeVisibility(queue.messages, body.ReceiptHandle, body.VisibilityTimeout);
    this.wake(String(body.QueueUrl)); // a message made visible again can be received now
    return error ? sqsError(error.code, error.message, error.type) : [200, {}];
  }

  deleteMessageBatch(body: Body): WireReply {
    return this.batch(body, (messages, entry) => {
      const index = messages.findIndex((message) => message.receiptHandle === entry.ReceiptHandle);
      if (index >= 0) messages.splice(index, 1);
      return undefined;
    });
  }

  changeMessageVisibilityBatch(body: Body): WireReply {
    const reply = this.batch(body, (messages, entry) =>
      this.changeVisibility(messages, entry.ReceiptHandle, entry.VisibilityTimeout),
    );
    this.wake(String(body.QueueUrl));
    return reply;
  }

  private changeVisibility(
    messages: StoredMessage[],
    receiptHandle: unknown,
    timeout: unknown,
  ): SqsErrorParts | undefined {
    const seconds = Number(timeout);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
      return {
        code: 'InvalidParameterValue',
        type: INVALID_PARAMETER_TYPE,
        message: `Value ${String(timeout)} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and ${MAX_VISIBILITY_TIMEOUT_SECONDS}.`,
      };
    }
    const message = messages.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (!message) {
      return {
        code: 'ReceiptHandleIsInvalid',
        message: `The input receipt handle "${String(receiptHandle)}" is not valid.`,
      };
    }
    const now = this.now();
    if (message.invisibleUntil <= now) {
      return {
        code: 'MessageNotInflight',
        message: 'Message does not exist or is not available for visibility timeout change.',
      };
    }
    message.invisibleUntil = now + seconds * 1000;
    return undefined;
  }

  private batch(body: Body, apply: (messages: StoredMessage[], entry: Body) => SqsErrorParts | undefined): WireReply {
    const queue = this.queues.get(String(body.QueueUrl));
    if (!queue) return queueMissing();
    const entries = (body.Entries ?? []) as Body[];
    if (entries.length === 0)
      return sqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
    if (entries.length > MAX_BATCH_ENTRIES) {
      return sqsError(
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}.`,
      );
    }
    const successful: { Id: unknown }[] = [];
    const failed: { Id: unknown; SenderFault: boolean; Code: string; Message: string }[] = [];
    for (const entry of entries) {
      const error = apply(queue.messages, entry);
      if (error) failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
      else successful.push({ Id: entry.Id });
    }
    return [200, { Successful: successful, Failed: failed }];
  }

  /** Moves a message to the dead-letter queue, keeping its id, body and attributes. */
  private moveTo(url: string, message: StoredMessage, redrive: NonNullable<QueueSettings['redrive']>): boolean {
    const target = this.queues.get(redrive.deadLetterQueueUrl);
    if (!target) return false; // SQS keeps the message where it is while the DLQ is missing
    const messages = this.messages(url);
    messages.splice(messages.indexOf(message), 1);
    target.messages.push({ ...message, receiptHandle: undefined, invisibleUntil: 0 });
    this.wake(redrive.deadLetterQueueUrl);
    this.onMovedToDeadLetterQueue?.(message, url);
    return true;
  }
}

interface SqsErrorParts {
  code: string;
  message: string;
  type?: string;
}

/** The `__type` SQS sends for InvalidParameterValue (the SDK names the error from the header). */
const INVALID_PARAMETER_TYPE = 'com.amazon.coral.service#InvalidParameterValueException';
const invalidParameter = (message: string): WireReply =>
  sqsError('InvalidParameterValue', message, INVALID_PARAMETER_TYPE);
