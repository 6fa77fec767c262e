import { randomUUID } from 'node:crypto';
import { SQS_MAX_MESSAGE_BYTES, sqsBodyCharacterViolation, sqsMessageBytes } from './aws-limits';
import { md5, queueMissing, sqsError, type WireReply } from './aws-wire';

/**
 * The SQS queues of the loopback emulator: SendMessage, ReceiveMessage (visibility timeout,
 * receive counts, system attributes), DeleteMessage, ChangeMessageVisibility, the batch forms of
 * the last two, and redrive to a dead-letter queue after `maxReceiveCount` receives.
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

export interface QueueSettings {
  /** Bytes; SQS accepts 1,024 to 1,048,576 (the default now). */
  maximumMessageSize?: number;
  /** As the queue's RedrivePolicy: a message received this many times moves on its next receive. */
  redrive?: { deadLetterQueueUrl: string; maxReceiveCount: number };
  /** Seconds; SQS's default is 30. */
  visibilityTimeout?: number;
}

type Body = Record<string, unknown>;

const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
const MAX_BATCH_ENTRIES = 10;
const SYSTEM_ATTRIBUTES = ['ApproximateReceiveCount', 'SentTimestamp', 'ApproximateFirstReceiveTimestamp'] as const;

export class SqsQueues {
  private readonly queues = new Map<string, { messages: StoredMessage[]; settings: QueueSettings }>();

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

  receiveMessage(body: Body): WireReply {
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

  /** `QueueArn` and `RedrivePolicy` (the attributes the CLIs read), or all of them for `All`. */
  getQueueAttributes(body: Body): WireReply {
    const url = String(body.QueueUrl);
    const queue = this.queues.get(url);
    if (!queue) return queueMissing();
    const { redrive } = queue.settings;
    const attributes: Record<string, string> = {
      QueueArn: queueArn(url),
      ...(redrive
        ? {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: queueArn(redrive.deadLetterQueueUrl),
              maxReceiveCount: redrive.maxReceiveCount,
            }),
          }
        : {}),
    };
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
    return this.batch(body, (messages, entry) =>
      this.changeVisibility(messages, entry.ReceiptHandle, entry.VisibilityTimeout),
    );
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
    return true;
  }
}

interface SqsErrorParts {
  code: string;
  message: string;
  type?: string;
}

/** The ARN of a queue of the emulator, from its URL (`<endpoint>/<account>/<name>`). */
const queueArn = (url: string): string => {
  const [account = '000000000000', name = ''] = new URL(url).pathname.split('/').filter(Boolean);
  return `arn:aws:sqs:us-east-1:${account}:${name}`;
};

/** The `__type` SQS sends for InvalidParameterValue (the SDK names the error from the header). */
const INVALID_PARAMETER_TYPE = 'com.amazon.coral.service#InvalidParameterValueException';
const invalidParameter = (message: string): WireReply =>
  sqsError('InvalidParameterValue', message, INVALID_PARAMETER_TYPE);

/** The system attributes a ReceiveMessage asked for (`All` or names), by either parameter name. */
const requestedAttributes = (body: Body): string[] => {
  const names = [
    ...((body.MessageSystemAttributeNames ?? []) as string[]),
    ...((body.AttributeNames ?? []) as string[]),
  ];
  return names.includes('All') ? [...SYSTEM_ATTRIBUTES] : SYSTEM_ATTRIBUTES.filter((name) => names.includes(name));
};

const systemAttributes = (message: StoredMessage, names: string[]): Record<string, string> => {
  const values: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentTimestamp),
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? ''),
  };
  return Object.fromEntries(names.map((name) => [name, values[name] ?? '']));
};
