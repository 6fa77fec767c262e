import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FriendGraphTable } from '../aws/friend-graph-table';
import { isFriendEvent } from '../contract/events';
import { type ApplyResult, applyEvent } from './friend-graph';

/**
 * The reference subscriber: keeps a friend graph in DynamoDB from every friend event. Deploy it
 * with `-c exampleSubscriber=true`; copy it as the start of your own.
 */
const logger = new Logger({ serviceName: 'openim-friend-graph' });
const tableName = process.env.FRIEND_GRAPH_TABLE_NAME;
if (!tableName) throw new Error('FRIEND_GRAPH_TABLE_NAME is not set');
const store = new FriendGraphTable(new DynamoDBClient({}), tableName);

export const handler = async (event: unknown): Promise<ApplyResult> => {
  if (!isFriendEvent(event)) {
    // Not ours (or a future schema version): retrying cannot help, so say so and drop it.
    logger.warn('ignored an event that is not a friend event of this schema version');
    return { applied: 0, ignored: 0 };
  }
  const result = await applyEvent(event, store);
  logger.info('friend graph updated', {
    detailType: event['detail-type'],
    idempotencyKey: event.detail.idempotencyKey,
    ...result,
  });
  return result;
};
