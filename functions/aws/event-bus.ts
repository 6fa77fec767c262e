import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { FriendEventDraft } from '../openim/to-events';
import { describeAwsError, singleAttemptClientConfig, timeoutSignal } from './clients';

export interface EventAddress {
  eventBusName: string;
  source: string;
}

/** Addresses a normalized event to the bus; `Time` is when the callback was received. */
export const toPutEventsEntry = (draft: FriendEventDraft, address: EventAddress): PutEventsRequestEntry => ({
  EventBusName: address.eventBusName,
  Source: address.source,
  DetailType: draft.detailType,
  Detail: JSON.stringify(draft.detail),
  Time: new Date(draft.detail.receivedAt),
});

/** Entry size as EventBridge counts it (Time is 14 bytes). */
export const entrySizeBytes = (entry: PutEventsRequestEntry): number =>
  14 +
  byteLength(entry.Source) +
  byteLength(entry.DetailType) +
  byteLength(entry.Detail) +
  (entry.Resources ?? []).reduce((sum, resource) => sum + byteLength(resource), 0);

const byteLength = (text: string | undefined): number => (text ? Buffer.byteLength(text, 'utf8') : 0);

const MAX_ENTRIES_PER_CALL = 10;
const MAX_BYTES_PER_CALL = 256 * 1024;

/** Packs entries into as few PutEvents calls as EventBridge's limits allow (10 entries, 256 KiB). */
export const toBatches = <T>(items: T[], entryOf: (item: T) => PutEventsRequestEntry): T[][] => {
  const batches: T[][] = [];
  let batch: T[] = [];
  let batchBytes = 0;
  for (const item of items) {
    const size = entrySizeBytes(entryOf(item));
    if (batch.length === MAX_ENTRIES_PER_CALL || (batch.length > 0 && batchBytes + size > MAX_BYTES_PER_CALL)) {
      batches.push(batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push(item);
    batchBytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
};

export interface RetryPolicy {
  /** Upper bound of one PutEvents attempt. */
  attemptTimeoutMs: number;
  /** Full-jitter exponential backoff between attempts: random in [0, min(max, base * 2^n)]. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface UnpublishedEntry {
  entry: PutEventsRequestEntry;
  reason: string;
}

export interface PublishResult {
  unpublished: UnpublishedEntry[];
  attempts: number;
}

export type PublishEvents = (entries: PutEventsRequestEntry[], deadline: number) => Promise<PublishResult>;

/** Entry error codes worth another try; anything else (e.g. a malformed detail) will not heal. */
const RETRYABLE_ENTRY_ERRORS = new Set(['InternalFailure', 'ThrottlingException']);

interface Pending {
  entry: PutEventsRequestEntry;
  /** Each distinct failure, in order: the last attempt is often cut short by the deadline. */
  reasons: string[];
  retryable: boolean;
}

const failed = (item: Pending, reason: string, retryable: boolean): Pending => ({
  entry: item.entry,
  reasons: item.reasons.includes(reason) ? item.reasons : [...item.reasons, reason],
  retryable,
});

/**
 * Publishes with PutEvents until every entry is in or `deadline` (a `performance.now()` time)
 * is reached. Throttling, 5xx, network errors, timeouts and failed entries are retried (only
 * the failed entries); what is left is returned with the reason, for the dead-letter queue.
 */
export const createEventPublisher = (policy: RetryPolicy): PublishEvents => {
  const client = new EventBridgeClient(singleAttemptClientConfig(policy.attemptTimeoutMs));

  return async (entries, deadline) => {
    let pending: Pending[] = entries.map((entry) => ({ entry, reasons: [], retryable: true }));
    let attempts = 0;
    let parkedAtOnce: Pending[] = [];
    while (pending.length > 0) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      attempts += 1;
      const failures = (
        await Promise.all(
          toBatches(pending, (item) => item.entry).map((batch) =>
            sendBatch(client, batch, Math.min(remaining, policy.attemptTimeoutMs)),
          ),
        )
      ).flat();
      parkedAtOnce = parkedAtOnce.concat(failures.filter((item) => !item.retryable));
      pending = failures.filter((item) => item.retryable);
      if (pending.length === 0) break;
      const delay = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
      if (performance.now() + delay >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return {
      unpublished: [...parkedAtOnce, ...pending].map(({ entry, reasons }) => ({
        entry,
        reason: reasons.join('; then ') || 'the reply budget ended before a first attempt',
      })),
      attempts,
    };
  };
};

/** One PutEvents call; returns the entries that did not get in. */
const sendBatch = async (client: EventBridgeClient, batch: Pending[], timeoutMs: number): Promise<Pending[]> => {
  try {
    const output = await client.send(new PutEventsCommand({ Entries: batch.map((item) => item.entry) }), {
      abortSignal: timeoutSignal(timeoutMs),
    });
    // HTTP 200 does not mean published: each entry carries its own EventId or ErrorCode.
    return batch.flatMap((item, index) => {
      const result = output.Entries?.[index];
      if (result?.EventId && !result.ErrorCode) return [];
      const reason = result?.ErrorCode
        ? `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`
        : 'PutEvents returned no EventId for this entry';
      return [failed(item, reason, !result?.ErrorCode || RETRYABLE_ENTRY_ERRORS.has(result.ErrorCode))];
    });
  } catch (error) {
    return batch.map((item) => failed(item, describeAwsError(error), isRetryable(error)));
  }
};

/** Throttling, server faults, timeouts and network errors are transient; a 4xx is not. */
const isRetryable = (error: unknown): boolean => {
  const metadata = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }) ?? {};
  const status = metadata.$metadata?.httpStatusCode;
  const name = error instanceof Error ? error.name : '';
  if (metadata.$retryable || /Throttl/i.test(name)) return true;
  return status === undefined || status >= 500 || status === 429;
};
