import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { fromParkedMessage } from '../../functions/aws/retry-queue';

export interface RedriveOptions {
  /** The final dead-letter queue. */
  fromQueueUrl: string;
  /** The retry queue, whose drainer publishes what arrives. */
  toQueueUrl: string;
  /** Stop after this many messages. */
  maxMessages: number;
  /** A message that could not be moved stays hidden this long, then is visible again for the next run. */
  visibilityTimeoutSeconds: number;
  onProgress?: (summary: RedriveSummary) => void;
}

export interface RedriveSummary {
  received: number;
  moved: number;
  failed: number;
  /** Messages that are not parked entries of this product: left in the queue untouched. */
  skipped: number;
}

/**
 * Moves dead-lettered events back to the retry queue, unchanged, where the drainer publishes them
 * (with its backoff) once the cause is fixed. A message is deleted from the dead-letter queue only
 * after its copy is in the retry queue, so an interrupted run loses nothing; a re-run moves at most
 * what it had not yet deleted (subscribers de-duplicate on `idempotencyKey`).
 */
export const redrive = async (sqs: SQSClient, options: RedriveOptions): Promise<RedriveSummary> => {
  const summary: RedriveSummary = { received: 0, moved: 0, failed: 0, skipped: 0 };
  while (summary.received < options.maxMessages) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.fromQueueUrl,
        MaxNumberOfMessages: Math.min(10, options.maxMessages - summary.received),
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages.length === 0) break;
    summary.received += Messages.length;

    for (const message of Messages) {
      const body = message.Body ?? '';
      try {
        fromParkedMessage(body);
      } catch {
        summary.skipped += 1;
        continue;
      }
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl: options.toQueueUrl, MessageBody: body }));
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.fromQueueUrl, ReceiptHandle: message.ReceiptHandle ?? '' }),
        );
        summary.moved += 1;
      } catch {
        summary.failed += 1;
      }
    }
    options.onProgress?.({ ...summary });
  }
  return summary;
};
