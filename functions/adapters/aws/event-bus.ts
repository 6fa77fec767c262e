import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { PublishEvents } from '../../openim/ports';
import type { FriendEventDraft } from '../../openim/to-events';
import { describeAwsError, singleAttemptClientConfig, timeoutSignal } from './clients';

export interface EventAddress {
  eventBusName: string;
  source: string;
}

/** Addresses a normalized event to the bus; `Time` is when the callback was received. */
export const toPutEventsEntry = (
  draft: FriendEventDraft | { detailType: string; detail: { receivedAt: string } },
  address: EventAddress,
): PutEventsRequestEntry => ({
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
/** The sum of entry sizes in one call; AWS's "1 MB" since 2026-01-29, read as the stricter 10^6 bytes. */
const MAX_BYTES_PER_CALL = 1_000_000;

/** Packs entries into as few PutEvents calls as EventBridge's limits allow (10 entries, 1 MB). */
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

export interface FailedEntry<T> {
  item: T;
  reason: string;
  /** No retry can help (a validation or permission error); otherwise retrying later may. */
  permanent: boolean;
  /** The whole request of several entries failed: any one of them may be at fault, not this one. */
  wholeRequest: boolean;
}

/** Per-entry error codes EventBridge documents as non-retryable (PutEventsResultEntry). */
const PERMANENT_ENTRY_ERRORS = new Set([
  'AccessDeniedException',
  'InvalidAccountIdException',
  'InvalidArgument',
  'MalformedDetail',
  'RedactionFailure',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

/**
 * Whether a failed call can never succeed as sent: a 4xx answer (ValidationException,
 * AccessDeniedException, SerializationException...) other than throttling. Throttling, 5xx,
 * timeouts, resets and anything without an HTTP answer may pass on a later try.
 */
export const isPermanentCallError = (error: unknown): boolean => {
  const { $metadata, $retryable, name } = (error ?? {}) as {
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    name?: string;
  };
  const status = $metadata?.httpStatusCode;
  if (status === undefined || status < 400 || status >= 500 || status === 408 || status === 429) return false;
  return !$retryable && !/Throttl|TooManyRequests|LimitExceeded/.test(name ?? '');
};

/**
 * Why EventBridge could never take this entry, or undefined. Checked before a call, so that one
 * such entry does not fail the call of the entries batched with it (a `Time` that is not a date is
 * sent as NaN, which is not even JSON).
 */
export const entryProblem = (entry: PutEventsRequestEntry): string | undefined => {
  if (!entry.Source) return 'no Source';
  if (!entry.DetailType) return 'no DetailType';
  if (entry.Time !== undefined && !(entry.Time instanceof Date && Number.isFinite(entry.Time.getTime()))) {
    return 'Time is not a valid date';
  }
  if (!isJsonObject(entry.Detail)) return 'Detail is not a JSON object';
  const size = entrySizeBytes(entry);
  return size > MAX_BYTES_PER_CALL
    ? `the entry is ${size} bytes; EventBridge takes at most ${MAX_BYTES_PER_CALL}`
    : undefined;
};

const isJsonObject = (text: string | undefined): boolean => {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
};

/**
 * One PutEvents attempt for every batch of `items` (in parallel), each bounded by `timeoutMs`.
 * Returns the items that did not get in, with the reason; never throws. The SDK makes exactly
 * one attempt: retrying is the caller's decision (the retry queue's, never the reply path's).
 */
export const putOnce = async <T>(
  client: EventBridgeClient,
  items: T[],
  entryOf: (item: T) => PutEventsRequestEntry,
  timeoutMs: number,
): Promise<FailedEntry<T>[]> => {
  const results = await Promise.all(
    toBatches(items, entryOf).map(async (batch): Promise<FailedEntry<T>[]> => {
      try {
        const output = await client.send(new PutEventsCommand({ Entries: batch.map(entryOf) }), {
          abortSignal: timeoutSignal(timeoutMs),
        });
        // HTTP 200 does not mean published: each entry carries its own EventId or ErrorCode.
        return batch.flatMap((item, index) => {
          const result = output.Entries?.[index];
          if (result?.EventId && !result.ErrorCode) return [];
          const reason = result?.ErrorCode
            ? `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`
            : 'PutEvents returned no EventId for this entry';
          return [
            { item, reason, permanent: PERMANENT_ENTRY_ERRORS.has(result?.ErrorCode ?? ''), wholeRequest: false },
          ];
        });
      } catch (error) {
        const permanent = isPermanentCallError(error);
        const wholeRequest = batch.length > 1;
        return batch.map((item) => ({ item, reason: describeAwsError(error), permanent, wholeRequest }));
      }
    }),
  );
  return results.flat();
};

export const createEventBridgeClient = (timeoutMs: number): EventBridgeClient =>
  new EventBridgeClient(singleAttemptClientConfig(timeoutMs));

/** The reply path's publisher: friend event drafts to this bus, one attempt. */
export const createEventBusPublisher = (address: EventAddress, client: EventBridgeClient): PublishEvents => {
  return async (drafts, timeoutMs) => {
    const failed = await putOnce(client, drafts, (draft) => toPutEventsEntry(draft, address), timeoutMs);
    return failed.map(({ item, reason }) => ({ event: item, reason }));
  };
};
