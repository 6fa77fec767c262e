import { sqsError, type WireReply } from './aws-wire';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './event-envelope';

/**
 * Queue attributes of the loopback SQS (what CreateQueue, SetQueueAttributes and
 * GetQueueAttributes read and write) and the system attributes of a received message.
 */

export interface QueueSettings {
  /** Bytes; SQS accepts 1,024 to 1,048,576 (the default now). */
  maximumMessageSize?: number;
  /** As the queue's RedrivePolicy: a message received this many times moves on its next receive. */
  redrive?: { deadLetterQueueUrl: string; maxReceiveCount: number };
  /** Seconds; SQS's default is 30. */
  visibilityTimeout?: number;
  /** The queue's access policy (JSON), as SQS keeps it: who else may send to it (an EventBridge rule). */
  policy?: string;
}

/** The ARN of a queue of the emulator, from its URL (`<endpoint>/<account>/<name>`). */
export const queueArnOf = (url: string): string => {
  const [account = LOCAL_ACCOUNT, name = ''] = new URL(url).pathname.split('/').filter(Boolean);
  return `arn:aws:sqs:${LOCAL_REGION}:${account}:${name}`;
};

/** Every queue attribute the emulator keeps, by its SQS name. */
export const queueAttributes = (url: string, settings: QueueSettings): Record<string, string> => ({
  QueueArn: queueArnOf(url),
  VisibilityTimeout: String(settings.visibilityTimeout ?? 30),
  MaximumMessageSize: String(settings.maximumMessageSize ?? 1_048_576),
  ...(settings.redrive
    ? {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: queueArnOf(settings.redrive.deadLetterQueueUrl),
          maxReceiveCount: settings.redrive.maxReceiveCount,
        }),
      }
    : {}),
  ...(settings.policy ? { Policy: settings.policy } : {}),
});

/** Attributes SQS takes on CreateQueue and SetQueueAttributes that the emulator stores (or accepts and ignores). */
const SETTABLE = ['Policy', 'VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod'] as const;

/** The settings after applying CreateQueue's or SetQueueAttributes' `Attributes`, or SQS's error. */
export const withAttributes = (
  settings: QueueSettings,
  attributes: Record<string, unknown> | undefined,
): QueueSettings | WireReply => {
  const next = { ...settings };
  for (const [name, raw] of Object.entries(attributes ?? {})) {
    if (!(SETTABLE as readonly string[]).includes(name)) {
      return sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const value = String(raw);
    if (name === 'Policy') {
      try {
        JSON.parse(value);
      } catch {
        return sqsError('InvalidAttributeValue', 'Invalid value for the parameter Policy.');
      }
      next.policy = value;
    }
    if (name === 'VisibilityTimeout') next.visibilityTimeout = Number(value);
    if (name === 'MaximumMessageSize') next.maximumMessageSize = Number(value);
  }
  return next;
};

export const SYSTEM_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'ApproximateFirstReceiveTimestamp',
] as const;

/** The system attributes a ReceiveMessage asked for (`All` or names), by either parameter name. */
export const requestedAttributes = (body: Record<string, unknown>): string[] => {
  const names = [
    ...((body.MessageSystemAttributeNames ?? []) as string[]),
    ...((body.AttributeNames ?? []) as string[]),
  ];
  return names.includes('All') ? [...SYSTEM_ATTRIBUTES] : SYSTEM_ATTRIBUTES.filter((name) => names.includes(name));
};

export const systemAttributes = (
  message: { receiveCount: number; sentTimestamp: number; firstReceiveTimestamp: number | undefined },
  names: string[],
): Record<string, string> => {
  const values: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentTimestamp),
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? ''),
  };
  return Object.fromEntries(names.map((name) => [name, values[name] ?? '']));
};
