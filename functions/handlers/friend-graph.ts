import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FriendGraphTable } from '../adapters/aws/friend-graph-table';
import { FRIEND_GRAPH_SUBSCRIBER } from '../contract/deployment';
import { isFriendEvent, isSnapshotEvent, type SnapshotEvent } from '../contract/events';
import {
  type ApplyResult,
  applyEvent,
  applySnapshotPart,
  type FriendGraphStore,
  snapshotPartProblem,
} from '../friend-graph/friend-graph';
import { type Environment, loadFriendGraphConfig } from './wiring/environment';

/**
 * The reference subscriber: keeps a friend graph in DynamoDB from every friend event, and from the
 * snapshots addressed to it (`friend-graph`). Deploy it with `-c exampleSubscriber=true`; copy it
 * as the start of your own.
 */

/** What one invocation did; `skipped` says why an event was left alone on purpose. */
export type GraphHandlerResult = ApplyResult & {
  skipped?: 'synthetic' | 'snapshot-for-another-subscriber' | 'snapshot-completed' | 'malformed-snapshot';
};

/**
 * A snapshot part is applied (it replaces the owner's pairs in its range, last writer wins);
 * the completion only says the snapshot is whole, which the graph needs not wait for: logged.
 */
const applySnapshot = async (
  event: SnapshotEvent,
  store: FriendGraphStore,
  logger: Logger,
): Promise<GraphHandlerResult> => {
  const fields = { detailType: event['detail-type'], snapshot: event.detail.snapshot };
  if (event.detail.snapshot?.for !== FRIEND_GRAPH_SUBSCRIBER) {
    // The deployed rule takes only the graph's own; this guards a rule written by hand.
    logger.warn(`skipped a snapshot addressed to another subscriber (this is ${FRIEND_GRAPH_SUBSCRIBER})`, fields);
    return { applied: 0, ignored: 0, skipped: 'snapshot-for-another-subscriber' };
  }
  if (event['detail-type'] === 'FriendSnapshotCompleted') {
    const { users, friendRows, blackRows, unreadableUserIDs } = (event as SnapshotEvent<'FriendSnapshotCompleted'>)
      .detail;
    logger.info('snapshot complete: every part is on the bus', {
      ...fields,
      users,
      friendRows,
      blackRows,
      unreadableUserIDs,
    });
    return { applied: 0, ignored: 0, skipped: 'snapshot-completed' };
  }
  const { detail } = event as SnapshotEvent<'FriendListSnapshot'>;
  const problem = snapshotPartProblem(detail);
  if (problem !== undefined) {
    // Retrying cannot mend it: say why and drop it, having written nothing.
    logger.error(`dropped a malformed snapshot part: ${problem}`, { ...fields, ownerUserID: detail.ownerUserID });
    return { applied: 0, ignored: 0, skipped: 'malformed-snapshot' };
  }
  const result = await applySnapshotPart(detail, store);
  logger.info('friend graph updated from a snapshot part', {
    ...fields,
    ownerUserID: detail.ownerUserID,
    part: detail.part,
    parts: detail.parts,
    ...result,
  });
  return result;
};

/**
 * Test traffic (`npm run send`, `synthetic: true`) is skipped unless `includeSynthetic`: the
 * deployed rule already leaves it out, and this guards a rule written by hand.
 */
export const createFriendGraphHandler =
  (options: { store: FriendGraphStore; includeSynthetic: boolean; logger: Logger }) =>
  async (event: unknown): Promise<GraphHandlerResult> => {
    const { logger } = options;
    if (isSnapshotEvent(event)) return applySnapshot(event, options.store, logger);
    if (!isFriendEvent(event)) {
      // Not ours (or a future schema version): retrying cannot help, so say so and drop it.
      logger.warn('ignored an event that is not a friend event of this schema version');
      return { applied: 0, ignored: 0 };
    }
    const fields = { detailType: event['detail-type'], idempotencyKey: event.detail.idempotencyKey };
    if ('synthetic' in event.detail && event.detail.synthetic === true && !options.includeSynthetic) {
      logger.info('skipped a synthetic event (test traffic; FRIEND_GRAPH_INCLUDE_SYNTHETIC=true applies it)', fields);
      return { applied: 0, ignored: 0, skipped: 'synthetic' };
    }
    const result = await applyEvent(event, options.store);
    logger.info('friend graph updated', { ...fields, ...result });
    return result;
  };

export const createHandler = async (env: Environment = process.env) => {
  const config = loadFriendGraphConfig(env);
  return createFriendGraphHandler({
    store: new FriendGraphTable(new DynamoDBClient({}), config.tableName),
    includeSynthetic: config.includeSynthetic,
    logger: new Logger({ serviceName: 'openim-friend-graph' }),
  });
};

export const handler = await createHandler();
