import type { FriendEventDraft } from './to-events';

/**
 * What the reply path needs from the outside world, in its own terms. `functions/adapters/aws/`
 * implements these with EventBridge, SQS and Secrets Manager; tests implement them with fakes.
 */

/** An event that did not reach the bus, and why (kept with it when it is parked). */
export interface UnpublishedEvent {
  event: FriendEventDraft;
  reason: string;
}

/** An event that could be neither published nor parked: the last resort is the log. */
export interface UnparkedEvent extends UnpublishedEvent {
  parkError: string;
}

/** One bounded attempt to put events on the bus; resolves with those that did not get in, never throws. */
export type PublishEvents = (events: FriendEventDraft[], timeoutMs: number) => Promise<UnpublishedEvent[]>;

/** Puts events in the retry queue; resolves with those that could not be parked, never throws. */
export type ParkEvents = (events: UnpublishedEvent[], timeoutMs: number) => Promise<UnparkedEvent[]>;

/** The tokens a callback may present: the current one, and the previous one during a rotation. */
export interface CallbackTokens {
  /** The cached tokens; the first call waits for the first read. */
  tokens(): Promise<string[]>;
  /** Reads them again now (after a token miss, so a rotation is picked up at once). */
  refresh(): Promise<string[]>;
  /** Milliseconds since the tokens were read (Infinity before the first read). */
  ageMs(): number;
}

/** Wall-clock milliseconds (`Date.now`): the reply budget counts from API Gateway's own timestamp. */
export type Clock = () => number;
