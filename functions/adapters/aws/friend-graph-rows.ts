import { type AttributeValue, type DynamoDBClient, paginateQuery, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type GraphRow, type OwnerView, ownerView } from '../../friend-graph/graph-view';
import type { GraphReader } from '../../reconcile/ports';
import { FRIEND_GRAPH_KEY } from './friend-graph-table';

/** Rows per scan page of the orphans phase: each is a key only, so a page is a few hundred KB at most. */
const SCAN_PAGE_ITEMS = 1_000;

/** The stored attributes a view reads: the registers and their versions (`friend-graph-table.ts` writes them). */
const VIEW_ATTRIBUTES = [
  'state',
  'stateVersion',
  'remark',
  'remarkVersion',
  'blacklist',
  'blacklistVersion',
] as const satisfies readonly Exclude<keyof GraphRow, 'otherUserID'>[];

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
        ProjectionExpression: `#other, ${VIEW_ATTRIBUTES.map((name) => `#${name}`).join(', ')}`,
        ExpressionAttributeNames: {
          '#owner': FRIEND_GRAPH_KEY.partitionKey,
          '#other': FRIEND_GRAPH_KEY.sortKey,
          ...Object.fromEntries(VIEW_ATTRIBUTES.map((name) => [`#${name}`, name])),
        },
        ExpressionAttributeValues: { ':owner': { S: ownerUserID } },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const row: GraphRow = { otherUserID: item[FRIEND_GRAPH_KEY.sortKey]?.S ?? '' };
        for (const name of VIEW_ATTRIBUTES) {
          const value = item[name]?.S;
          if (value !== undefined) row[name] = value;
        }
        rows.push(row);
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
