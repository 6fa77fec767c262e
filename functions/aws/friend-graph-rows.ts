import { type AttributeValue, type DynamoDBClient, paginateQuery, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type GraphRow, type OwnerView, ownerView } from '../friend-graph/graph-view';
import type { GraphReader } from '../reconciler/ports';
import { FRIEND_GRAPH_KEY } from './friend-graph-table';

/** Rows per scan page of the orphans phase: each is a key only, so a page is a few hundred KB at most. */
const SCAN_PAGE_ITEMS = 1_000;

/**
 * The friend graph table as the reconciler reads it: one Query per owner, and a parallel Scan of
 * the keys for the orphans phase (a segment holds all rows of an owner, in order, because
 * segments split the table by partition key).
 */
export class FriendGraphRows implements GraphReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async ownerView(ownerUserID: string): Promise<OwnerView> {
    const rows: GraphRow[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: '#owner = :owner',
        ProjectionExpression: '#other, #state, #remark, #blacklist',
        ExpressionAttributeNames: {
          '#owner': FRIEND_GRAPH_KEY.partitionKey,
          '#other': FRIEND_GRAPH_KEY.sortKey,
          '#state': 'state',
          '#remark': 'remark',
          '#blacklist': 'blacklist',
        },
        ExpressionAttributeValues: { ':owner': { S: ownerUserID } },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        rows.push({
          otherUserID: item[FRIEND_GRAPH_KEY.sortKey]?.S ?? '',
          ...optional('state', item.state),
          ...optional('remark', item.remark),
          ...optional('blacklist', item.blacklist),
        });
      }
    }
    return ownerView(rows);
  }

  async ownersPage(segment: number, totalSegments: number, cursor?: string) {
    const page = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        Segment: segment,
        TotalSegments: totalSegments,
        Limit: SCAN_PAGE_ITEMS,
        ProjectionExpression: '#owner, #other',
        ExpressionAttributeNames: { '#owner': FRIEND_GRAPH_KEY.partitionKey, '#other': FRIEND_GRAPH_KEY.sortKey },
        ...(cursor === undefined ? {} : { ExclusiveStartKey: JSON.parse(cursor) as Record<string, AttributeValue> }),
      }),
    );
    const owners = [...new Set((page.Items ?? []).map((item) => item[FRIEND_GRAPH_KEY.partitionKey]?.S ?? ''))];
    return { owners, ...(page.LastEvaluatedKey ? { next: JSON.stringify(page.LastEvaluatedKey) } : {}) };
  }
}

const optional = (name: 'state' | 'remark' | 'blacklist', value: AttributeValue | undefined) =>
  value?.S === undefined ? {} : { [name]: value.S };
