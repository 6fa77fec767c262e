import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { entryProblem, type FailedEntry } from '../adapters/aws/event-bus';
import { fromParkedMessage, toDeadLetterBody } from '../adapters/aws/retry-queue';

/** One message of the retry queue as the SQS event source hands it over. */
export interface RetryRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** 1 on the first delivery to the drainer. */
  receiveCount: number;
  /** When the message was parked (SQS's SentTimestamp), in milliseconds since the epoch; NaN if unknown. */
  sentAt: number;
  /** The retry queue's ARN (the SQS record's `eventSourceARN`): added to the event's `resources`. */
  queueArn?: string;
}

export interface DrainPorts {
  /** One PutEvents attempt per batch; resolves with the entries that did not get in. */
  publish: (entries: PutEventsRequestEntry[]) => Promise<FailedEntry<PutEventsRequestEntry>[]>;
  /** Sends a message body straight to the final dead-letter queue. */
  deadLetter: (body: string) => Promise<void>;
  /** Keeps a failed message hidden this long before its next try. */
  delayRetry: (receiptHandle: string, seconds: number) => Promise<void>;
  random: () => number;
  /** Milliseconds since the epoch: decides whether an authorization refusal is still within its grace. */
  now: () => number;
  onResult: (result: DrainResult) => void;
}

export interface DrainResult {
  published: number;
  /** Failed for now (EventBridge throttling, down, slow): hidden for a backoff, then tried again. */
  failed: { messageId: string; receiveCount: number; reason: string; retryInSeconds: number }[];
  /** Can never be published (a permanent error of that entry alone): sent to the final dead-letter queue. */
  deadLettered: { messageId: string; reason: string; entry?: EntrySummary }[];
}

/** What the log says about a dead-lettered entry (the full body is in the dead-letter queue). */
export interface EntrySummary {
  source: string | undefined;
  detailType: string | undefined;
  idempotencyKey: string | undefined;
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
 * How long after a message was parked an authorization refusal still counts as one that may pass.
 * IAM is eventually consistent: for a while after a deploy changes the drainer's role or policy,
 * PutEvents may be refused although the new policy allows it. AWS gives no bound; changes usually
 * show within seconds to a few minutes. 15 minutes is about five receives with the backoff
 * (30, 60, 120, 240, 480 s), well inside the retry queue's receives before SQS dead-letters it.
 */
export const AUTHORIZATION_GRACE_MS = 15 * 60 * 1000;

/**
 * EventBridge's answers that an IAM decision causes (the whole call's AccessDeniedException, or an
 * entry's refusal for its source or detail-type, which IAM conditions decide): while IAM changes
 * propagate, these are refused today and allowed minutes later.
 */
const AUTHORIZATION_ERRORS = new Set([
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

type Verdict = { kind: 'retry'; reason: string } | { kind: 'dead-letter'; reason: string };

/**
 * Publishes each parked entry unchanged (same source, detail-type, detail, idempotencyKey and
 * time), with the retry queue's ARN added to its `resources`, and returns the ids of the messages
 * to retry, as an SQS partial batch response.
 *
 * - A failure that may pass (throttling, 5xx, a timeout, a reset) hides the message for a
 *   backoff; after the queue's `maxReceiveCount` receives, SQS moves it to the final
 *   dead-letter queue.
 * - An authorization refusal (AccessDeniedException and kin) is retried like a failure that may
 *   pass until the message has been parked for AUTHORIZATION_GRACE_MS: after a deploy, IAM takes
 *   a while to allow what the new policy allows.
 * - An entry that can never be published (unreadable, invalid, or refused by a permanent error
 *   of its own) goes to the final dead-letter queue at once, with its reason, instead of failing
 *   its batch for hours.
 * - A call that fails as a whole with a permanent error may be the fault of one entry: each of
 *   its entries is then tried alone, so the good ones are published in this invocation.
 */
export const drainBatch = async (
  records: RetryRecord[],
  ports: DrainPorts,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
  const verdicts = new Map<RetryRecord, Verdict>();
  const publishable: { record: RetryRecord; entry: PutEventsRequestEntry }[] = [];
  for (const record of records) {
    let entry: PutEventsRequestEntry;
    try {
      entry = fromRetryQueue(fromParkedMessage(record.body).entry, record.queueArn);
    } catch (error) {
      const reason = `unreadable message: ${error instanceof Error ? error.message : String(error)}`;
      verdicts.set(record, { kind: 'dead-letter', reason });
      continue;
    }
    const problem = entryProblem(entry);
    if (problem) verdicts.set(record, { kind: 'dead-letter', reason: `invalid entry: ${problem}` });
    else publishable.push({ record, entry });
  }

  const itemOf = (entry: PutEventsRequestEntry) => publishable.find((item) => item.entry === entry);
  const judge = (failure: FailedEntry<PutEventsRequestEntry>) => {
    const item = itemOf(failure.item);
    if (item) verdicts.set(item.record, verdictOf(failure, ports.now() - item.record.sentAt));
  };
  const suspects: PutEventsRequestEntry[] = [];
  for (const failure of publishable.length > 0 ? await ports.publish(publishable.map(({ entry }) => entry)) : []) {
    if (failure.permanent && failure.wholeRequest) suspects.push(failure.item);
    else judge(failure);
  }
  // A request refused as a whole names no entry: try each alone, so only the one at fault fails.
  const alone = await Promise.all(suspects.map((entry) => ports.publish([entry])));
  alone.flat().forEach(judge);

  const result: DrainResult = { published: records.length - verdicts.size, failed: [], deadLettered: [] };
  await Promise.all(
    [...verdicts].map(async ([record, verdict]) => {
      let reason = verdict.reason;
      if (verdict.kind === 'dead-letter') {
        try {
          await ports.deadLetter(toDeadLetterBody(record.body, `can never be published: ${reason}`));
          result.deadLettered.push({ messageId: record.messageId, reason, entry: summary(record) });
          return;
        } catch (error) {
          // Not lost: retried like any failure, and SQS dead-letters it after maxReceiveCount receives.
          reason = `${reason}; sending it to the dead-letter queue failed: ${String(error)}`;
        }
      }
      const retryInSeconds = retryDelaySeconds(record.receiveCount, ports.random);
      // If hiding fails, the queue's own visibility timeout still brings the message back later.
      await ports.delayRetry(record.receiptHandle, retryInSeconds).catch(() => undefined);
      result.failed.push({
        messageId: record.messageId,
        receiveCount: record.receiveCount,
        reason,
        retryInSeconds,
      });
    }),
  );
  ports.onResult(result);
  // Dead-lettered messages are done: the event source deletes them from the retry queue.
  return { batchItemFailures: result.failed.map(({ messageId }) => ({ itemIdentifier: messageId })) };
};

/**
 * The entry with the retry queue among its `resources`: the envelope then tells a subscriber, an
 * operator and the local console that this event waited in the retry queue (the detail, and so
 * the idempotencyKey, stays as it was).
 */
export const fromRetryQueue = (entry: PutEventsRequestEntry, queueArn: string | undefined): PutEventsRequestEntry =>
  queueArn && !entry.Resources?.includes(queueArn)
    ? { ...entry, Resources: [...(entry.Resources ?? []), queueArn] }
    : entry;

/** `parkedForMs` is NaN for a message without a parking time: no grace then. */
const verdictOf = ({ reason, permanent }: FailedEntry<PutEventsRequestEntry>, parkedForMs: number): Verdict => {
  if (!permanent) return { kind: 'retry', reason };
  // The reason starts with EventBridge's error code, for an entry's and a whole call's failure alike.
  const code = /^[A-Za-z]+/.exec(reason)?.[0] ?? '';
  return AUTHORIZATION_ERRORS.has(code) && parkedForMs < AUTHORIZATION_GRACE_MS
    ? {
        kind: 'retry',
        reason: `${reason} (an authorization refusal: retried while IAM changes may still be propagating)`,
      }
    : { kind: 'dead-letter', reason };
};

const summary = (record: RetryRecord): EntrySummary | undefined => {
  let entry: PutEventsRequestEntry;
  try {
    entry = fromParkedMessage(record.body).entry;
  } catch {
    return undefined;
  }
  let idempotencyKey: unknown;
  try {
    idempotencyKey = (JSON.parse(entry.Detail ?? '') as { idempotencyKey?: unknown }).idempotencyKey;
  } catch {
    // the detail is what is wrong with it
  }
  return {
    source: entry.Source,
    detailType: entry.DetailType,
    idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
  };
};
