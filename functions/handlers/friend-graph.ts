import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FriendGraphTable } from '../adapters/aws/friend-graph-table';
import { isFriendEvent } from '../contract/events';
import { type ApplyResult, applyEvent, type FriendGraphStore } from '../friend-graph/friend-graph';
import { type Environment, loadFriendGraphConfig } from './wiring/environment';

/**
 * The reference subscriber: keeps a friend graph in DynamoDB from every friend event. Deploy it
 * with `-c exampleSubscriber=true`; copy it as the start of your own.
 */

/** What one invocation did; `skipped` says why an event was left alone on purpose. */
export type GraphHandlerResult = ApplyResult & { skipped?: 'synthetic' };

/**
 * Test traffic (`npm run send`, `synthetic: true`) is skipped unless `includeSynthetic`: the
 * deployed rule already leaves it out, and this guards a rule written by hand.
 */
export const createFriendGraphHandler =
  (options: { store: FriendGraphStore; includeSynthetic: boolean; logger: Logger }) =>
  async (event: unknown): Promise<GraphHandlerResult> => {
    const { logger } = options;
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
