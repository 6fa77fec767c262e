import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { fromParkedMessage } from '../../functions/adapters/aws/retry-queue';

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

/** A redrive that would move nothing, or move events the wrong way: refused before anything moves. */
export class RedriveRefusedError extends Error {
  override name = 'RedriveRefusedError';
}

/**
 * Refuses a redrive from a queue to itself (it would report every message as moved and move none)
 * and one from the retry queue to its own dead-letter queue (backwards: it would dead-letter
 * parked events that are still being retried).
 */
export const checkRedriveQueues = async (sqs: SQSClient, fromQueueUrl: string, toQueueUrl: string): Promise<void> => {
  if (new URL(fromQueueUrl).href === new URL(toQueueUrl).href) {
    throw new RedriveRefusedError('--from and --to are the same queue: nothing would move');
  }
  const [from, to] = await Promise.all([
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: fromQueueUrl, AttributeNames: ['RedrivePolicy'] })),
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: toQueueUrl, AttributeNames: ['QueueArn'] })),
  ]);
  const policy = from.Attributes?.RedrivePolicy;
  const deadLetterTarget = policy ? (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn : '';
  if (deadLetterTarget && deadLetterTarget === to.Attributes?.QueueArn) {
    throw new RedriveRefusedError(
      '--from is the retry queue and --to its dead-letter queue: that is backwards; use --from <dead-letter queue> --to <retry queue> (or --stack)',
    );
  }
};

/**
 * Moves dead-lettered events back to the retry queue, unchanged, where the drainer publishes them
 * (with its backoff) once the cause is fixed. A message is deleted from the dead-letter queue only
 * after its copy is in the retry queue, so an interrupted run loses nothing; a re-run moves at most
 * what it had not yet deleted (subscribers de-duplicate on `idempotencyKey`).
 */
export const redrive = async (sqs: SQSClient, options: RedriveOptions): Promise<RedriveSummary> => {
  await checkRedriveQueues(sqs, options.fromQueueUrl, options.toQueueUrl);
  const summary: RedriveSummary = { received: 0, moved: 0, failed: 0, skipped: 0 };
  // A message seen again in this run (its delete failed, or its visibility timeout ran out) is
  // already in the retry queue: it is deleted, not sent or counted a second time.
  const copied = new Set<string>();
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
    const fresh = Messages.filter((message) => !copied.has(message.MessageId ?? ''));
    for (const seen of Messages.filter((message) => !fresh.includes(message))) {
      await deleteMessage(sqs, options.fromQueueUrl, seen.ReceiptHandle).catch(() => undefined);
    }
    if (fresh.length === 0) break;
    summary.received += fresh.length;

    for (const message of fresh) {
      const body = message.Body ?? '';
      try {
        fromParkedMessage(body);
      } catch {
        summary.skipped += 1;
        continue;
      }
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl: options.toQueueUrl, MessageBody: body }));
      } catch {
        summary.failed += 1;
        continue;
      }
      copied.add(message.MessageId ?? '');
      summary.moved += 1;
      // If this fails, the message comes back: deleted when seen again in this run, else moved
      // again by the next run (a duplicate with the same idempotencyKey, never a loss).
      await deleteMessage(sqs, options.fromQueueUrl, message.ReceiptHandle).catch(() => undefined);
    }
    options.onProgress?.({ ...summary });
  }
  return summary;
};

const deleteMessage = (sqs: SQSClient, queueUrl: string, receiptHandle: string | undefined) =>
  sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle ?? '' }));
