import { Logger } from '@aws-lambda-powertools/logger';
import { type FriendEvent, isAfterAddFriendAgreeEvent, isAfterImportFriendsEvent } from '../contract/events';

/**
 * An example subscriber: logs every new friendship. Deploy it with `-c exampleSubscriber=true`;
 * copy it as the start of your own (store friendships, update a graph, send a welcome message).
 */
const logger = new Logger({ serviceName: 'openim-friend-events-example-subscriber' });

export interface Friendship {
  userIDs: [string, string];
  /** Use it to ignore a duplicate delivery (EventBridge delivers at least once). */
  idempotencyKey: string;
}

/** The friendships an event creates: one for an accepted request, one per imported friend. */
export const newFriendships = (event: FriendEvent): Friendship[] => {
  if (isAfterAddFriendAgreeEvent(event)) {
    const { fromUserID, toUserID, idempotencyKey } = event.detail;
    return [{ userIDs: [fromUserID, toUserID], idempotencyKey }];
  }
  if (isAfterImportFriendsEvent(event)) {
    const { ownerUserID, friendUserIDs, idempotencyKey } = event.detail;
    return friendUserIDs.map((friend) => ({ userIDs: [ownerUserID, friend], idempotencyKey }));
  }
  return [];
};

export const handler = async (event: FriendEvent): Promise<{ friendships: number }> => {
  const friendships = newFriendships(event);
  for (const friendship of friendships) logger.info('new friendship', { ...friendship });
  return { friendships: friendships.length };
};
