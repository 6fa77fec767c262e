import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PublishEvents } from '../../functions/aws/event-bus';
import { fromParkedEvent } from '../../functions/aws/retry-queue';

export interface RedriveOptions {
  queueUrl: string;
  /** Stop after this many messages. */
  maxMessages: number;
  /** A message whose entry fails stays hidden this long, then is visible again for the next run. */
  visibilityTimeoutSeconds: number;
  /** Time given to each batch's PutEvents retries. */
  publishTimeoutMs: number;
  onProgress?: (summary: RedriveSummary) => void;
}

export interface RedriveSummary {
  received: number;
  republished: number;
  failed: number;
  /** Messages that are not parked entries of this product: left in the queue untouched. */
  skipped: number;
}

/**
 * Moves parked events back to the bus: re-publishes each entry and deletes its message only
 * after the entry got in, so an interrupted run loses nothing and a re-run re-publishes at most
 * what it had not yet deleted (subscribers de-duplicate on `idempotencyKey`).
 */
export const redrive = async (
  sqs: SQSClient,
  publish: PublishEvents,
  options: RedriveOptions,
): Promise<RedriveSummary> => {
  const summary: RedriveSummary = { received: 0, republished: 0, failed: 0, skipped: 0 };
  while (summary.received < options.maxMessages) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.maxMessages - summary.received),
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages.length === 0) break;
    summary.received += Messages.length;

    const batch: { entry: PutEventsRequestEntry; receiptHandle: string }[] = [];
    for (const message of Messages) {
      try {
        batch.push({ entry: fromParkedEvent(message.Body ?? '').entry, receiptHandle: message.ReceiptHandle ?? '' });
      } catch {
        summary.skipped += 1;
      }
    }
    const { unpublished } = await publish(
      batch.map((item) => item.entry),
      performance.now() + options.publishTimeoutMs,
    );
    const stillParked = new Set(unpublished.map((item) => item.entry));
    for (const { entry, receiptHandle } of batch) {
      if (stillParked.has(entry)) {
        summary.failed += 1;
        continue;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: receiptHandle }));
      summary.republished += 1;
    }
    options.onProgress?.({ ...summary });
  }
  return summary;
};
