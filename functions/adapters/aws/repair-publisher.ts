import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { PublishRepairs } from '../../reconcile/ports';
import type { RepairDraft } from '../../reconcile/repairs';
import type { SnapshotPartDraft } from '../../reconcile/snapshot-parts';
import { type EventAddress, entryProblem, type FailedEntry, putOnce, toBatches, toPutEventsEntry } from './event-bus';
import { encodeParkedMessage, toParkedMessage } from './retry-queue';

/** Tries per repair before the chunk fails (and the engine retries the part). */
const ATTEMPTS = 3;

/**
 * Errors that say this entry's content can never be taken (too large, malformed), as a per-entry
 * ErrorCode or as the whole call's error. Not AccessDenied and kin: those are the deployment's,
 * may pass once IAM has propagated, and fail the chunk so the engine retries it.
 */
const CONTENT_ERRORS = new Set([
  'InvalidArgument',
  'MalformedDetail',
  'RedactionFailure',
  'ValidationException',
  'SerializationException',
]);

/** What the reconciler publishes: repairs, and the parts of a snapshot (paced and retried alike). */
export type ReconcilerDraft = RepairDraft | SnapshotPartDraft;

/** A repair (or snapshot part) that EventBridge refused for good, and why. */
export interface SetAsideRepair {
  repair: ReconcilerDraft;
  reason: string;
}

export interface RepairPublisherOptions {
  timeoutMs: number;
  /** Keeps repairs EventBridge will never take where the operator finds them; rejects if it could not. */
  setAside: (repairs: SetAsideRepair[]) => Promise<void>;
  /** Waits until `entries` more repairs may go (the sweep's events-per-second share). */
  pace: (entries: number) => Promise<void>;
  pause?: (ms: number) => Promise<void>;
}

/**
 * Puts repair events (or snapshot parts) on the bus at the pace given, in as few PutEvents calls as the limits allow,
 * trying the entries that failed again a few times. A repair whose content EventBridge refuses for
 * good (too large, malformed) is set aside instead of failing its chunk for ever: every sweep
 * would recompute it and fail again, and never get past it. A request refused as a whole names no
 * entry, so each of its entries is tried alone. Anything else that still fails rejects: the
 * engine retries the part, which recomputes its repairs.
 */
export const createRepairPublisher = (
  client: EventBridgeClient,
  address: EventAddress,
  options: RepairPublisherOptions,
): PublishRepairs & ((drafts: ReconcilerDraft[]) => Promise<void>) => {
  const { timeoutMs, setAside, pace } = options;
  const pause = options.pause ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const entryOf = (repair: ReconcilerDraft) => toPutEventsEntry(repair, address);
  const send = async (repairs: ReconcilerDraft[]): Promise<FailedEntry<ReconcilerDraft>[]> => {
    const failed: FailedEntry<ReconcilerDraft>[] = [];
    for (const batch of toBatches(repairs, entryOf)) {
      await pace(batch.length);
      failed.push(...(await putOnce(client, batch, entryOf, timeoutMs)));
    }
    return failed;
  };

  return async (repairs: ReconcilerDraft[]) => {
    const refused: SetAsideRepair[] = [];
    let pending: ReconcilerDraft[] = [];
    for (const repair of repairs) {
      const problem = entryProblem(entryOf(repair));
      if (problem) refused.push({ repair, reason: `invalid entry: ${problem}` });
      else pending.push(repair);
    }
    let reason = '';
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await pause(200 * 2 ** attempt);
      let failed = await send(pending);
      const suspects = failed.filter((failure) => failure.wholeRequest && refusesContent(failure));
      if (suspects.length > 0) {
        failed = failed.filter((failure) => !suspects.includes(failure));
        for (const { item } of suspects) failed.push(...(await send([item])));
      }
      pending = [];
      for (const failure of failed) {
        if (refusesContent(failure)) refused.push({ repair: failure.item, reason: failure.reason });
        else pending.push(failure.item);
      }
      reason = failed.find((failure) => !refusesContent(failure))?.reason ?? '';
    }
    // A part that is retried recomputes every repair, these too: set them aside once, on the try that gets through.
    if (pending.length > 0) {
      throw new RepairsNotPublished(`${pending.length} of ${repairs.length} repair events not published: ${reason}`);
    }
    if (refused.length > 0) await setAside(refused);
  };
};

const refusesContent = (failure: FailedEntry<unknown>): boolean =>
  failure.permanent && CONTENT_ERRORS.has(/^\w+/.exec(failure.reason)?.[0] ?? '');

export class RepairsNotPublished extends Error {
  override name = 'RepairsNotPublished';
}

/**
 * Spaces PutEvents calls so that repairs leave at most `perSecond` a second: a call of n entries
 * waits until n / perSecond seconds after the previous call's turn. Callbacks share the account's
 * PutEvents quota; a sweep that fills it throttles them, and OpenIM never sends a callback again.
 */
export const eventPace = (perSecond: number, clock: { now(): number; sleep(ms: number): Promise<void> }) => {
  let nextMs = Number.NEGATIVE_INFINITY;
  return async (entries: number): Promise<void> => {
    const now = clock.now();
    const start = Math.max(now, nextMs);
    nextMs = start + (entries * 1000) / perSecond;
    if (start > now) await clock.sleep(start - now);
  };
};

/** SQS's largest message body (1 MiB). */
const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * Sets repairs aside in the final dead-letter queue of the retry path, whose alarm and runbook
 * already cover what lands there: each as a parked entry with its reason (what a redrive
 * publishes, once the cause is fixed), or, when the entry is too large even for SQS, what
 * identifies it (a `set-aside-repair` summary that no redrive publishes).
 */
export const setAsideInQueue =
  (deadLetter: (body: string) => Promise<void>, address: EventAddress, now: () => Date = () => new Date()) =>
  async (repairs: SetAsideRepair[]): Promise<void> => {
    for (const { repair, reason } of repairs) {
      const why = `a repair EventBridge refused for good: ${reason}`;
      const entry: PutEventsRequestEntry = toPutEventsEntry(repair, address);
      const parked = encodeParkedMessage(toParkedMessage(entry, why, now()));
      await deadLetter(Buffer.byteLength(parked) <= SQS_MAX_MESSAGE_BYTES ? parked : summaryOf(repair, why, now()));
    }
  };

const summaryOf = (repair: ReconcilerDraft, reason: string, at: Date): string => {
  const { detail } = repair;
  const which =
    repair.detailType === 'FriendListSnapshot'
      ? { snapshot: repair.detail.snapshot, part: repair.detail.part, parts: repair.detail.parts }
      : { otherUserID: 'friendUserID' in repair.detail ? repair.detail.friendUserID : repair.detail.blackUserID };
  return JSON.stringify({
    kind: 'openim-friend-events/set-aside-repair',
    version: 1,
    reason,
    setAsideAt: at.toISOString(),
    detailType: repair.detailType,
    idempotencyKey: detail.idempotencyKey,
    ownerUserID: detail.ownerUserID,
    ...which,
    detailBytes: Buffer.byteLength(JSON.stringify(detail)),
  });
};
