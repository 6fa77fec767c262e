import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { FailedEntry } from '../aws/event-bus';
import { fromParkedMessage } from '../aws/retry-queue';

/** One message of the retry queue as the SQS event source hands it over. */
export interface RetryRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** 1 on the first delivery to the drainer. */
  receiveCount: number;
}

export interface DrainPorts {
  /** One PutEvents attempt per batch; resolves with the entries that did not get in. */
  publish: (entries: PutEventsRequestEntry[]) => Promise<FailedEntry<PutEventsRequestEntry>[]>;
  /** Keeps a failed message hidden this long before its next try. */
  delayRetry: (receiptHandle: string, seconds: number) => Promise<void>;
  random: () => number;
  onResult: (result: DrainResult) => void;
}

export interface DrainResult {
  published: number;
  failed: { messageId: string; receiveCount: number; reason: string; retryInSeconds: number }[];
}

/** The first retry comes after about this long; each later one waits twice as long, up to the cap. */
export const RETRY_BASE_SECONDS = 30;
export const RETRY_MAX_SECONDS = 15 * 60;

/** Exponential backoff by receive count, with jitter so that a recovering bus is not hit all at once. */
export const retryDelaySeconds = (receiveCount: number, random: () => number): number => {
  const ceiling = Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.max(0, receiveCount - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
};

/**
 * Publishes each parked entry unchanged (same source, detail-type, detail, idempotencyKey and
 * time) and returns the ids of the messages to retry, as an SQS partial batch response. A
 * failed message is hidden for a backoff first; after the queue's `maxReceiveCount` receives,
 * SQS moves it to the final dead-letter queue.
 */
export const drainBatch = async (
  records: RetryRecord[],
  ports: DrainPorts,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
  const failures = new Map<RetryRecord, string>();
  const publishable: { record: RetryRecord; entry: PutEventsRequestEntry }[] = [];
  for (const record of records) {
    try {
      publishable.push({ record, entry: fromParkedMessage(record.body).entry });
    } catch (error) {
      failures.set(record, `unreadable message: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const entries = publishable.map(({ entry }) => entry);
  for (const { item, reason } of entries.length > 0 ? await ports.publish(entries) : []) {
    const failed = publishable.find(({ entry }) => entry === item);
    if (failed) failures.set(failed.record, reason);
  }

  const failed = await Promise.all(
    [...failures].map(async ([record, reason]) => {
      const retryInSeconds = retryDelaySeconds(record.receiveCount, ports.random);
      // If hiding fails, the queue's own visibility timeout still brings the message back later.
      await ports.delayRetry(record.receiptHandle, retryInSeconds).catch(() => undefined);
      return { messageId: record.messageId, receiveCount: record.receiveCount, reason, retryInSeconds };
    }),
  );
  ports.onResult({ published: records.length - failed.length, failed });
  return { batchItemFailures: failed.map(({ messageId }) => ({ itemIdentifier: messageId })) };
};
