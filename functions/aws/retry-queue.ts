import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describeAwsError, singleAttemptClientConfig, timeoutSignal } from './clients';
import type { UnpublishedEntry } from './event-bus';

/** The SQS message body of a parked event: the complete entry, and why it was not published. */
export interface ParkedEvent {
  kind: 'openim-friend-events/parked-entry';
  version: 1;
  reason: string;
  parkedAt: string;
  entry: Omit<PutEventsRequestEntry, 'Time'> & { Time?: string };
}

export interface UnparkedEntry extends UnpublishedEntry {
  parkError: string;
}

/** Returns the entries that could not be parked either. */
export type ParkEvents = (unpublished: UnpublishedEntry[], timeoutMs: number) => Promise<UnparkedEntry[]>;

export const toParkedEvent = ({ entry, reason }: UnpublishedEntry, parkedAt: Date): ParkedEvent => ({
  kind: 'openim-friend-events/parked-entry',
  version: 1,
  reason,
  parkedAt: parkedAt.toISOString(),
  entry: { ...entry, Time: entry.Time?.toISOString() },
});

/** The entry to re-publish from a parked message; throws if the message is not one of ours. */
export const fromParkedEvent = (body: string): { entry: PutEventsRequestEntry; reason: string } => {
  const parked = JSON.parse(body) as Partial<ParkedEvent>;
  if (parked.kind !== 'openim-friend-events/parked-entry' || typeof parked.entry?.Detail !== 'string') {
    throw new Error('not a parked openim-friend-events entry');
  }
  const { Time, ...rest } = parked.entry;
  return { entry: { ...rest, ...(Time ? { Time: new Date(Time) } : {}) }, reason: parked.reason ?? '' };
};

/**
 * Parks unpublished entries in the SQS dead-letter queue, one message each. The SQS client is
 * loaded on first use: only the failure path needs it, so the cold start does not pay for it.
 */
export const createDeadLetterQueue = (queueUrl: string, defaultTimeoutMs: number): ParkEvents => {
  let sqs: Promise<{ client: SQSClient; send: typeof import('@aws-sdk/client-sqs').SendMessageCommand }> | undefined;
  const loadSqs = () =>
    (sqs ??= import('@aws-sdk/client-sqs').then(({ SQSClient, SendMessageCommand }) => ({
      client: new SQSClient(singleAttemptClientConfig(defaultTimeoutMs)),
      send: SendMessageCommand,
    })));

  return async (unpublished, timeoutMs) => {
    const parkedAt = new Date();
    // One signal from the start, so loading the client counts against the time given too.
    const abortSignal = timeoutSignal(timeoutMs);
    const results = await Promise.all(
      unpublished.map(async (item): Promise<UnparkedEntry[]> => {
        try {
          const { client, send } = await untilAborted(loadSqs(), abortSignal);
          await client.send(
            new send({ QueueUrl: queueUrl, MessageBody: JSON.stringify(toParkedEvent(item, parkedAt)) }),
            { abortSignal },
          );
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
