import { PARK_RESERVE_MS } from '../contract/settings';
import { asCallbackBody, parseFriendCallback } from './callback-body';
import type { CircuitBreaker } from './circuit-breaker';
import { type FriendCommand, resolveCommand } from './commands';
import type { Clock, ParkEvents, PublishEvents, UnparkedEvent, UnpublishedEvent } from './ports';
import { PublishFailedError } from './reply';
import { type FriendEventDraft, toFriendEvents } from './to-events';

export interface CallbackInput {
  /** The parsed JSON body. */
  body: unknown;
  pathCommand: string | undefined;
  queryCommand: string | undefined;
  /** OpenIM's operationID header, in its safe form. */
  operationID: string;
  /** Whether `operationID` differs from the header (escaped or cut). */
  operationIDAltered?: boolean;
  /** When API Gateway received the request: the reply budget counts from here, cold start included. */
  receivedAt: Date;
  /** The one HTTP request OpenIM made (API Gateway's request id): with `receivedAt`, the idempotency key. */
  deliveryId: string;
  /** Test traffic (`npm run send`): its events carry `synthetic: true`. */
  synthetic?: boolean;
}

export interface ReplyPathTimes {
  /** Upper bound of the one PutEvents attempt. */
  publishTimeoutMs: number;
  /** From API Gateway's receipt to the reply, parking included. */
  replyBudgetMs: number;
}

export interface ReplyPathServices extends ReplyPathTimes {
  publish: PublishEvents;
  park: ParkEvents;
  breaker: CircuitBreaker;
  clock: Clock;
  /** The last resort: called with what could be neither published nor parked, before the 503. */
  reportLost: (events: UnparkedEvent[], operationID: string) => void;
}

/** Why events were parked without an attempt. */
export type SkipReason = 'circuit-open' | 'budget-spent';

export interface AcceptedCallback {
  command: FriendCommand;
  operationID: string;
  events: number;
  published: number;
  parked: number;
  /** Whether PutEvents was tried, and if not, why. */
  attempt: 'made' | SkipReason;
  publishLatencyMs: number;
  /** Why events were parked (each distinct reason once), for the log line. */
  parkReason?: string;
}

/** An attempt shorter than this would time out on a healthy bus: park at once instead. */
const MIN_ATTEMPT_MS = 50;
/** Shortest time given to parking, even when the budget is spent (a late reply beats a lost event). */
const MIN_PARK_MS = PARK_RESERVE_MS;

/**
 * Validates the callback, makes one bounded PutEvents attempt (unless the circuit is open) and
 * parks whatever did not get in, all before the reply: work left running after a Lambda returns
 * is frozen. No retry while OpenIM waits: the retry queue's drainer retries. Resolves when every
 * event is on the bus or parked; throws a `CallbackError` otherwise.
 */
export const acceptCallback = async (input: CallbackInput, services: ReplyPathServices): Promise<AcceptedCallback> => {
  const body = asCallbackBody(input.body);
  const command = resolveCommand({ path: input.pathCommand, query: input.queryCommand, body: body.callbackCommand });
  const drafts = toFriendEvents(parseFriendCallback(command, body), input);

  const { clock } = services;
  const deadline = input.receivedAt.getTime() + services.replyBudgetMs;
  const window = Math.min(services.publishTimeoutMs, deadline - PARK_RESERVE_MS - clock());
  const skip: SkipReason | undefined =
    window < MIN_ATTEMPT_MS ? 'budget-spent' : services.breaker.allowsAttempt() ? undefined : 'circuit-open';

  const publishStartedAt = clock();
  const unpublished = skip === undefined ? await services.publish(drafts, window) : skipped(drafts, skip);
  const publishLatencyMs = skip === undefined ? clock() - publishStartedAt : 0;
  if (skip === undefined) services.breaker.record(unpublished.length === 0);

  if (unpublished.length > 0) {
    const lost = await services.park(unpublished, Math.max(MIN_PARK_MS, deadline - clock()));
    if (lost.length > 0) {
      services.reportLost(lost, input.operationID);
      throw new PublishFailedError(`${lost.length} of ${drafts.length} event(s) were neither published nor parked`);
    }
  }
  return {
    command,
    operationID: input.operationID,
    events: drafts.length,
    published: drafts.length - unpublished.length,
    parked: unpublished.length,
    attempt: skip ?? 'made',
    publishLatencyMs,
    ...(unpublished.length > 0 ? { parkReason: [...new Set(unpublished.map(({ reason }) => reason))].join('; ') } : {}),
  };
};

const SKIP_REASONS: Record<SkipReason, string> = {
  'circuit-open': 'not tried: EventBridge kept failing (circuit open)',
  'budget-spent': 'not tried: the reply budget was spent before the attempt (cold start?)',
};

const skipped = (drafts: FriendEventDraft[], reason: SkipReason): UnpublishedEvent[] =>
  drafts.map((event) => ({ event, reason: SKIP_REASONS[reason] }));
