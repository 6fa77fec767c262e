import { type FriendEvent, isFriendEvent } from '../../functions/contract/events';
import { asCallbackBody, parseFriendCallback } from '../../functions/openim/callback-body';
import { resolveCommand } from '../../functions/openim/commands';
import { toFriendEvents } from '../../functions/openim/to-events';

let deliveries = 0;

/**
 * The events the callback function publishes for an OpenIM callback body, as a subscriber
 * receives them: made by the product's own parser and mapper. Each call is one delivery, as each
 * of OpenIM's POSTs is: its own request id unless one is given.
 */
export const eventsFor = (
  body: Record<string, unknown>,
  receivedAt: Date | string,
  operationID = '',
  deliveryId = `delivery-${++deliveries}`,
): FriendEvent[] => {
  const command = resolveCommand({ body: body.callbackCommand });
  const received = new Date(receivedAt);
  const drafts = toFriendEvents(parseFriendCallback(command, asCallbackBody(body)), {
    operationID,
    receivedAt: received,
    deliveryId,
  });
  return drafts.map(({ detailType, detail }, index) => {
    const event = {
      version: '0',
      id: `${detail.idempotencyKey}-${index}`,
      'detail-type': detailType,
      source: 'openim',
      account: '000000000000',
      time: received.toISOString(),
      region: 'us-east-1',
      resources: [],
      detail,
    };
    if (!isFriendEvent(event)) throw new Error('not a friend event');
    return event;
  });
};
