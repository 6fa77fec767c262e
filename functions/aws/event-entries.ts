import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { FriendEventDraft } from '../openim/to-events';

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
