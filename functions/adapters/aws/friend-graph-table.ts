import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  paginateQuery,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { FRIEND_GRAPH_KEY } from '../../contract/deployment';
import { type FriendGraphStore, inRange, type PairChange, type SnapshotRange } from '../../friend-graph/friend-graph';

export { FRIEND_GRAPH_KEY };

/**
 * The friend graph in DynamoDB. Each register is written with one conditional UpdateItem that
 * holds only if the stored version of that register is older (or absent); so a duplicate or a
 * late older change is refused by DynamoDB itself, with no read first and no extra table.
 */
export class FriendGraphTable implements FriendGraphStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async apply(change: PairChange): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: {
            [FRIEND_GRAPH_KEY.partitionKey]: { S: change.ownerUserID },
            [FRIEND_GRAPH_KEY.sortKey]: { S: change.otherUserID },
          },
          UpdateExpression: 'SET #value = :value, #version = :version',
          ConditionExpression: 'attribute_not_exists(#version) OR #version < :version',
          ExpressionAttributeNames: { '#value': change.register, '#version': `${change.register}Version` },
          ExpressionAttributeValues: { ':value': { S: change.value }, ':version': { S: change.version } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * One Query of the owner's keys, filtered here: DynamoDB orders sort keys by UTF-8 bytes, the
   * contract's ranges by UTF-16 code units (the two differ above U+FFFF), so a key condition on
   * the range could leave a pair out. Keys only; a part exists only for lists of thousands of rows.
   */
  async storedOthers(ownerUserID: string, covers: SnapshotRange): Promise<string[]> {
    const others: string[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: '#owner = :owner',
        ProjectionExpression: '#other',
        ExpressionAttributeNames: { '#owner': FRIEND_GRAPH_KEY.partitionKey, '#other': FRIEND_GRAPH_KEY.sortKey },
        ExpressionAttributeValues: { ':owner': { S: ownerUserID } },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const other = item[FRIEND_GRAPH_KEY.sortKey]?.S;
        if (other !== undefined && inRange(other, covers)) others.push(other);
      }
    }
    return others;
  }
}
