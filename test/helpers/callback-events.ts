import { type FriendEvent, isFriendEvent } from '../../functions/contract/events';
import { asCallbackBody, parseFriendCallback } from '../../functions/openim/callback-body';
import { resolveCommand } from '../../functions/openim/commands';
import { toFriendEvents } from '../../functions/openim/to-events';

let deliveries = 0;

/**
 * The events the callback function publishes for an OpenIM callback body, as a subscriber
 * receives them: made by the product's own parser and mapper.
 */
export const eventsFor = (body: Record<string, unknown>, receivedAt: Date, operationID = ''): FriendEvent[] => {
  const command = resolveCommand({ body: body.callbackCommand });
  // Each call is one delivery, as each of OpenIM's POSTs is: its own request id.
  const deliveryId = `delivery-${++deliveries}`;
  const drafts = toFriendEvents(parseFriendCallback(command, asCallbackBody(body)), {
    operationID,
    receivedAt,
    deliveryId,
  });
  return drafts.map(({ detailType, detail }, index) => {
    const event = {
      version: '0',
      id: `${detail.idempotencyKey}-${index}`,
      'detail-type': detailType,
      source: 'openim',
      account: '000000000000',
      time: receivedAt.toISOString(),
      region: 'us-east-1',
      resources: [],
      detail,
    };
    if (!isFriendEvent(event)) throw new Error('not a friend event');
    return event;
  });
};
