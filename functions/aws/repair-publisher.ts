import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PublishRepairs } from '../reconciler/ports';
import type { RepairDraft } from '../reconciler/repairs';
import { type EventAddress, putOnce, toPutEventsEntry } from './event-bus';

/** Tries per repair before the chunk fails (and the engine retries the part). */
const ATTEMPTS = 3;

/**
 * Puts repair events on the bus, in as few PutEvents calls as the limits allow, trying the entries
 * that failed again a few times. What still fails rejects: a repair is recomputed by retrying
 * the part, so it is never parked.
 */
export const createRepairPublisher = (
  client: EventBridgeClient,
  address: EventAddress,
  timeoutMs: number,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): PublishRepairs => {
  return async (repairs) => {
    let pending: RepairDraft[] = repairs;
    let reason = '';
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await pause(200 * 2 ** attempt);
      const failed = await putOnce(client, pending, (repair) => toPutEventsEntry(repair, address), timeoutMs);
      pending = failed.map(({ item }) => item);
      reason = failed[0]?.reason ?? '';
    }
    if (pending.length > 0) {
      throw new RepairsNotPublished(`${pending.length} of ${repairs.length} repair events not published: ${reason}`);
    }
  };
};

export class RepairsNotPublished extends Error {
  override name = 'RepairsNotPublished';
}
