import { fromParkedMessage } from '../../functions/adapters/aws/retry-queue';
import type { AnsweredCall, AwsEmulator, StoredEvent, StoredMessage } from './aws-emulator';
import { eventLine } from './event-summary';
import { queueArnOf } from './sqs-attributes';

/**
 * What `npm start` prints at its default level: one short line per callback, park, retry,
 * redrive, dead-letter and delivery to the bus, read from what the loopback AWS endpoint sees
 * (as CloudWatch would show it), never from the functions' JSON logs (`LOG_LEVEL=INFO` for those).
 *
 * - park: a message sent to the retry queue; redrive: one whose body was just received from the
 *   dead-letter queue (what `npm run redrive` moves back);
 * - retry: the drainer hiding a message of the retry queue for its backoff;
 * - dead-letter: a message sent to the dead-letter queue (never publishable), or moved there by
 *   SQS after `maxReceiveCount` receives;
 * - delivery: an event on the bus; one the drainer published carries the retry queue's ARN in its
 *   `resources`, and the try it took is the receive count of its message, still in flight then.
 */
export interface ConsoleQueues {
  retryQueueUrl: string;
  deadLetterQueueUrl: string;
}

/** Bodies received from the dead-letter queue, remembered until they come back (at most this many). */
const MAX_REMEMBERED = 10_000;

type Parked = { detailType: string; detail: Record<string, unknown>; reason: string };

const parked = (body: string): Parked | undefined => {
  try {
    const { entry, reason } = fromParkedMessage(body);
    return { detailType: String(entry.DetailType), detail: JSON.parse(String(entry.Detail)), reason };
  } catch {
    return undefined;
  }
};

const label = (kind: string): string => kind.padEnd(12);

export class LocalConsole {
  private readonly fromDeadLetterQueue = new Set<string>();
  private readonly retryQueueArn: string;

  constructor(
    private readonly emulator: Pick<AwsEmulator, 'messages'>,
    private readonly queues: ConsoleQueues,
    private readonly print: (line: string) => void = console.log,
  ) {
    this.retryQueueArn = queueArnOf(queues.retryQueueUrl);
  }

  /** Subscribes to the emulator's calls, events and dead-letter moves. */
  attach(emulator: Pick<AwsEmulator, 'onCall' | 'onEvent' | 'onMovedToDeadLetterQueue'>): void {
    emulator.onCall(this.call);
    emulator.onEvent(this.event);
    emulator.onMovedToDeadLetterQueue(this.movedToDeadLetterQueue);
  }

  /** A callback and its reply (the path already has its token masked). */
  callback(method: string, path: string, status: number, outcome: string, ms: number): void {
    this.print(`${label('callback')}${method} ${path} -> ${status} ${outcome} (${ms.toFixed(1)} ms)`);
  }

  readonly event = (stored: StoredEvent): void => {
    const tries = stored.resources.includes(this.retryQueueArn)
      ? this.triesOf(stored.detail.idempotencyKey)
      : undefined;
    const from =
      tries === undefined
        ? ''
        : `, from the retry queue${tries > 0 ? ` after ${tries} ${tries === 1 ? 'try' : 'tries'}` : ''}`;
    this.print(`${label('event')}${eventLine(stored.detailType, stored.detail)} on ${stored.eventBusName}${from}`);
  };

  readonly call = ({ operation, body, status, result }: AnsweredCall): void => {
    if (status !== 200) return;
    const queueUrl = String(body.QueueUrl ?? '');
    if (operation === 'ReceiveMessage' && queueUrl === this.queues.deadLetterQueueUrl) {
      for (const message of (result as { Messages?: { Body?: string }[] }).Messages ?? []) {
        if (this.fromDeadLetterQueue.size >= MAX_REMEMBERED) this.fromDeadLetterQueue.clear();
        this.fromDeadLetterQueue.add(message.Body ?? '');
      }
    }
    if (operation === 'SendMessage' && queueUrl === this.queues.retryQueueUrl)
      this.sentToRetryQueue(String(body.MessageBody));
    if (operation === 'SendMessage' && queueUrl === this.queues.deadLetterQueueUrl) {
      const entry = parked(String(body.MessageBody));
      this.print(
        `${label('dead-letter')}${entry ? `${eventLine(entry.detailType, entry.detail)}: ${entry.reason}` : 'a message that is not a parked event'}`,
      );
    }
    if (operation === 'ChangeMessageVisibility' && queueUrl === this.queues.retryQueueUrl) {
      const message = this.emulator
        .messages(queueUrl)
        .find((candidate) => candidate.receiptHandle === body.ReceiptHandle);
      const entry = message && parked(message.body);
      if (!message || !entry) return;
      this.print(
        `${label('retry')}${eventLine(entry.detailType, entry.detail)}: not published on try ${message.receiveCount}; next try in ${String(body.VisibilityTimeout)} s`,
      );
    }
  };

  readonly movedToDeadLetterQueue = (message: StoredMessage): void => {
    const entry = parked(message.body);
    if (!entry) return;
    this.print(
      `${label('dead-letter')}${eventLine(entry.detailType, entry.detail)}: not published after ${message.receiveCount} tries (the retry queue's maxReceiveCount); npm run redrive moves it back`,
    );
  };

  private sentToRetryQueue(body: string): void {
    const entry = parked(body);
    const redriven = this.fromDeadLetterQueue.delete(body);
    if (!entry) return;
    this.print(
      redriven
        ? `${label('redrive')}${eventLine(entry.detailType, entry.detail)}: back in the retry queue from the dead-letter queue`
        : `${label('parked')}${eventLine(entry.detailType, entry.detail)}: ${entry.reason}`,
    );
  }

  /** The receive count of the retry queue's message of this event (in flight while the drainer publishes it). */
  private triesOf(idempotencyKey: unknown): number {
    const message = this.emulator
      .messages(this.queues.retryQueueUrl)
      .find((candidate) => parked(candidate.body)?.detail.idempotencyKey === idempotencyKey);
    return message?.receiveCount ?? 0;
  }
}
