import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { FriendSnapshotCompletedDetail } from '../../contract/events';
import { type EventAddress, putOnce } from './event-bus';

/**
 * Puts a snapshot's `FriendSnapshotCompleted` on the bus (its time: `completedAt`); rejects when
 * EventBridge did not take it, so the engine retries the step that closes the snapshot.
 */
export const createSnapshotCompletionPublisher =
  (client: EventBridgeClient, address: EventAddress, timeoutMs: number) =>
  async (detail: FriendSnapshotCompletedDetail): Promise<void> => {
    const failed = await putOnce(
      client,
      [detail],
      (item) => ({
        EventBusName: address.eventBusName,
        Source: address.source,
        DetailType: 'FriendSnapshotCompleted',
        Detail: JSON.stringify(item),
        Time: new Date(item.completedAt),
      }),
      timeoutMs,
    );
    if (failed.length > 0)
      throw new SnapshotCompletionNotPublished(`FriendSnapshotCompleted not published: ${failed[0]?.reason}`);
  };

export class SnapshotCompletionNotPublished extends Error {
  override name = 'SnapshotCompletionNotPublished';
}
