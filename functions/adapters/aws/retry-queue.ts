import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ParkEvents, UnparkedEvent } from '../../openim/ports';
import { describeAwsError, singleAttemptClientConfig, timeoutSignal } from './clients';
import { type EventAddress, toPutEventsEntry } from './event-bus';

/**
 * The SQS message body of a parked event: the complete PutEvents entry (source, detail-type,
 * detail with its idempotencyKey, the original time), and why it was not published. The drainer
 * and `npm run redrive` publish the entry exactly as it is.
 */
export interface ParkedMessage {
  kind: 'openim-friend-events/parked-entry';
  version: 1;
  reason: string;
  parkedAt: string;
  entry: Omit<PutEventsRequestEntry, 'Time'> & { Time?: string };
}

export const toParkedMessage = (entry: PutEventsRequestEntry, reason: string, parkedAt: Date): ParkedMessage => ({
  kind: 'openim-friend-events/parked-entry',
  version: 1,
  reason,
  parkedAt: parkedAt.toISOString(),
  entry: { ...entry, Time: entry.Time?.toISOString() },
});

/**
 * Characters SQS refuses in a message body (InvalidMessageContents): it takes only #x9, #xA, #xD,
 * #x20-#xD7FF, #xE000-#xFFFD and #x10000-#x10FFFF. With the `u` flag a lone surrogate is one code
 * point, outside the class.
 */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/**
 * The SQS body of a parked message: its JSON, with every character SQS would refuse written as a
 * JSON `\uXXXX` escape. JSON.stringify already escapes C0 controls and lone surrogates but writes
 * U+FFFE and U+FFFF raw, and any user can type those in a request message or a remark. JSON's own
 * syntax is ASCII, so such a character can only sit inside a string, where the escape is valid
 * JSON: any JSON reader (the drainer, a redrive, an older drainer) gets the same text back.
 */
export const encodeParkedMessage = (message: ParkedMessage): string =>
  JSON.stringify(message).replace(
    OUTSIDE_SQS_CHARACTERS,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );

/** The entry to publish from a parked message; throws if the message is not one of ours. */
export const fromParkedMessage = (body: string): { entry: PutEventsRequestEntry; reason: string } => {
  const parked = JSON.parse(body) as Partial<ParkedMessage>;
  if (parked.kind !== 'openim-friend-events/parked-entry' || typeof parked.entry?.Detail !== 'string') {
    throw new Error('not a parked openim-friend-events entry');
  }
  const { Time, ...rest } = parked.entry;
  return { entry: { ...rest, ...(Time ? { Time: new Date(Time) } : {}) }, reason: parked.reason ?? '' };
};

type SqsModule = typeof import('@aws-sdk/client-sqs');

/**
 * Parks unpublished events in the SQS retry queue, one message each. The SQS client is loaded
 * on first use: only the failure path needs it, so the cold start does not parse it.
 */
export const createRetryQueue = (queueUrl: string, address: EventAddress, maxTimeoutMs: number): ParkEvents => {
  let sqs: Promise<{ client: SQSClient; SendMessageCommand: SqsModule['SendMessageCommand'] }> | undefined;
  const loadSqs = () =>
    (sqs ??= import('@aws-sdk/client-sqs').then(({ SQSClient, SendMessageCommand }) => ({
      // Each send carries its own abort signal; the client's own timeout is only a backstop above it.
      client: new SQSClient(singleAttemptClientConfig(maxTimeoutMs)),
      SendMessageCommand,
    })));

  return async (unpublished, timeoutMs) => {
    const parkedAt = new Date();
    // One signal from the start, so loading the client counts against the time given too.
    const abortSignal = timeoutSignal(timeoutMs);
    const results = await Promise.all(
      unpublished.map(async (item): Promise<UnparkedEvent[]> => {
        try {
          const { client, SendMessageCommand } = await untilAborted(loadSqs(), abortSignal);
          const message = toParkedMessage(toPutEventsEntry(item.event, address), item.reason, parkedAt);
          await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeParkedMessage(message) }), {
            abortSignal,
          });
          return [];
        } catch (error) {
          return [{ ...item, parkError: describeAwsError(error) }];
        }
      }),
    );
    return results.flat();
  };
};

const untilAborted = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    promise.then(resolve, reject);
  });

/** Hides a received message for `seconds` more: the drainer's backoff before the next try. */
export const createRetryDelay =
  (client: SQSClient, queueUrl: string) =>
  async (receiptHandle: string, seconds: number): Promise<void> => {
    const { ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  };

/**
 * The body a message takes to the final dead-letter queue when it can never be published: the
 * parked message with this reason (so the queue says why), or, when the body is not a parked
 * message, the body unchanged.
 */
export const toDeadLetterBody = (body: string, reason: string): string => {
  try {
    const parked = JSON.parse(body) as ParkedMessage;
    fromParkedMessage(body);
    return encodeParkedMessage({ ...parked, reason });
  } catch {
    return body;
  }
};

/** Sends a message body straight to the final dead-letter queue. */
export const createDeadLetterSender =
  (client: SQSClient, queueUrl: string) =>
  async (body: string): Promise<void> => {
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  };
