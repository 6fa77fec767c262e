import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { PublishEvents } from '../aws/event-bus';
import { type EventAddress, toPutEventsEntry } from '../aws/event-bus';
import type { ParkEvents } from '../aws/retry-queue';
import type { AcceptedCallback, CallbackTelemetry } from '../openim-callback/telemetry';
import { asCallbackBody, parseFriendCallback } from './callback-body';
import { resolveCommand } from './commands';
import { PublishFailedError } from './reply';
import { toFriendEvents } from './to-events';

export interface CallbackInput {
  /** The parsed JSON body. */
  body: unknown;
  pathCommand: string | undefined;
  queryCommand: string | undefined;
  operationID: string;
  receivedAt: Date;
  /** `performance.now()` when the invocation started: the reply budget counts from here. */
  startedAt: number;
}

export interface CallbackServices {
  address: EventAddress;
  replyBudgetMs: number;
  parkReserveMs: number;
  publish: PublishEvents;
  park: ParkEvents;
  telemetry: CallbackTelemetry;
}

/** Shortest time given to parking, even when publishing used up the budget. */
const MIN_PARK_TIMEOUT_MS = 100;

/**
 * Validates the callback, publishes its event(s) and parks whatever could not be published in
 * the dead-letter queue, all before the reply: work left running after a Lambda returns is
 * frozen. Resolves when every event is on the bus or in the queue; throws a `CallbackError`.
 */
export const processCallback = async (input: CallbackInput, services: CallbackServices): Promise<AcceptedCallback> => {
  const body = asCallbackBody(input.body);
  const command = resolveCommand({ path: input.pathCommand, query: input.queryCommand, body: body.callbackCommand });
  const callback = parseFriendCallback(command, body);
  const drafts = toFriendEvents(callback, { operationID: input.operationID, receivedAt: input.receivedAt });
  const entries: PutEventsRequestEntry[] = drafts.map((draft) => toPutEventsEntry(draft, services.address));

  const deadline = input.startedAt + services.replyBudgetMs;
  const publishStartedAt = performance.now();
  const { unpublished, attempts } = await services.publish(entries, deadline - services.parkReserveMs);
  const publishLatencyMs = performance.now() - publishStartedAt;

  if (unpublished.length > 0) {
    const parkTimeoutMs = Math.max(MIN_PARK_TIMEOUT_MS, deadline - performance.now());
    const lost = await services.park(unpublished, parkTimeoutMs);
    if (lost.length > 0) {
      services.telemetry.lost(lost, input.operationID);
      throw new PublishFailedError(`${lost.length} of ${entries.length} event(s) were neither published nor parked`);
    }
  }
  return {
    command,
    operationID: input.operationID,
    events: entries.length,
    published: entries.length - unpublished.length,
    deadLettered: unpublished.length,
    attempts,
    publishLatencyMs: Math.round(publishLatencyMs),
  };
};
