import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  paginateQuery,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { FriendRow } from '../reconciler/openim-directory';
import type { MirrorStore, UserMirror } from '../reconciler/ports';
import { RECONCILER_KEY } from './reconciler-table';

/** Below DynamoDB's 400 KB item limit with room for the other attributes. */
const INLINE_ROWS_BYTES = 350_000;
const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;
const UNPROCESSED_RETRIES = 8;

const mirrorKey = (userID: string) => ({
  [RECONCILER_KEY.partitionKey]: { S: `user#${userID}` },
  [RECONCILER_KEY.sortKey]: { S: 'mirror' },
});

/**
 * Each user's mirror (friend rows as OpenIM last reported them, version, sweep) in the
 * reconciler's table: one item per user, read 100 at a time and written 25 at a time. A list too
 * large for one item goes into chunk items of a new generation, written before the item that
 * points to them, so a crash never leaves a mirror pointing at half a list.
 */
export class ReconcilerMirrors implements MirrorStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(userIDs: readonly string[]): Promise<Map<string, UserMirror>> {
    const mirrors = new Map<string, UserMirror>();
    for (let at = 0; at < userIDs.length; at += BATCH_GET_KEYS) {
      for (const item of await this.batchGet(userIDs.slice(at, at + BATCH_GET_KEYS))) {
        const userID = (item[RECONCILER_KEY.partitionKey]?.S ?? '').slice('user#'.length);
        mirrors.set(userID, await this.mirrorOf(userID, item));
      }
    }
    return mirrors;
  }

  async save(mirrors: ReadonlyMap<string, UserMirror>): Promise<void> {
    const puts: WriteRequest[] = [];
    for (const [userID, mirror] of mirrors) {
      const rows = JSON.stringify(mirror.friends.map((row) => [row.userID, row.remark]));
      if (Buffer.byteLength(rows) <= INLINE_ROWS_BYTES) {
        puts.push({ PutRequest: { Item: { ...this.mirrorItem(userID, mirror), rows: { S: rows } } } });
      } else {
        await this.saveChunked(userID, mirror);
      }
    }
    await this.batchWrite(puts);
  }

  private mirrorItem(userID: string, mirror: UserMirror): Record<string, AttributeValue> {
    return {
      ...mirrorKey(userID),
      sweepID: { S: mirror.sweepID },
      ...(mirror.version
        ? { versionID: { S: mirror.version.versionID }, version: { N: String(mirror.version.version) } }
        : {}),
    };
  }

  private async mirrorOf(userID: string, item: Record<string, AttributeValue>): Promise<UserMirror> {
    const generation = item.generation?.S;
    const friends =
      generation === undefined ? parseRows(item.rows?.S ?? '[]') : await this.chunkRows(userID, generation);
    return {
      friends,
      sweepID: item.sweepID?.S ?? '',
      ...(item.versionID?.S !== undefined
        ? { version: { versionID: item.versionID.S, version: Number(item.version?.N) } }
        : {}),
    };
  }

  private async saveChunked(userID: string, mirror: UserMirror): Promise<void> {
    const generation = `${mirror.sweepID}#${Date.now()}`;
    const chunks = chunkRows(mirror.friends);
    const pk = { S: `user#${userID}` };
    await this.batchWrite(
      chunks.map((rows, index) => ({
        PutRequest: {
          Item: {
            [RECONCILER_KEY.partitionKey]: pk,
            [RECONCILER_KEY.sortKey]: { S: `rows#${generation}#${index}` },
            rows: { S: rows },
          },
        },
      })),
    );
    await this.batchWrite([
      { PutRequest: { Item: { ...this.mirrorItem(userID, mirror), generation: { S: generation } } } },
    ]);
    const stale = (await this.chunkKeys(userID)).filter((sk) => !sk.startsWith(`rows#${generation}#`));
    await this.batchWrite(
      stale.map((sk) => ({
        DeleteRequest: { Key: { [RECONCILER_KEY.partitionKey]: pk, [RECONCILER_KEY.sortKey]: { S: sk } } },
      })),
    );
  }

  private async chunkRows(userID: string, generation: string): Promise<FriendRow[]> {
    const rows: FriendRow[] = [];
    for await (const page of this.queryChunks(userID, `rows#${generation}#`)) {
      // Sort keys compare as text ("10" before "2"): order by the chunk number.
      const chunks = (page.Items ?? []).sort((a, b) => chunkIndex(a) - chunkIndex(b));
      for (const chunk of chunks) rows.push(...parseRows(chunk.rows?.S ?? '[]'));
    }
    return rows;
  }

  private async chunkKeys(userID: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of this.queryChunks(userID, 'rows#')) {
      for (const item of page.Items ?? []) keys.push(item[RECONCILER_KEY.sortKey]?.S ?? '');
    }
    return keys;
  }

  private queryChunks(userID: string, prefix: string) {
    return paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': RECONCILER_KEY.partitionKey, '#sk': RECONCILER_KEY.sortKey },
        ExpressionAttributeValues: { ':pk': { S: `user#${userID}` }, ':prefix': { S: prefix } },
        ConsistentRead: true,
      },
    );
  }

  private async batchGet(userIDs: readonly string[]): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let keys: Record<string, AttributeValue>[] = userIDs.map(mirrorKey);
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`DynamoDB left ${keys.length} mirror reads unprocessed`);
      if (attempt > 0) await backoff(attempt);
      const output = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      items.push(...(output.Responses?.[this.tableName] ?? []));
      keys = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }

  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    for (let at = 0; at < requests.length; at += BATCH_WRITE_ITEMS) {
      let pending = requests.slice(at, at + BATCH_WRITE_ITEMS);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new Error(`DynamoDB left ${pending.length} mirror writes unprocessed`);
        if (attempt > 0) await backoff(attempt);
        const output = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = output.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}

const parseRows = (text: string): FriendRow[] =>
  (JSON.parse(text) as [string, string][]).map(([userID, remark]) => ({ userID, remark }));

/** Rows in groups whose JSON stays under the inline limit (a group is at least one row). */
const chunkRows = (friends: readonly FriendRow[]): string[] => {
  const chunks: string[] = [];
  let group: [string, string][] = [];
  let bytes = 2;
  for (const row of friends) {
    const size = Buffer.byteLength(JSON.stringify([row.userID, row.remark])) + 1;
    if (group.length > 0 && bytes + size > INLINE_ROWS_BYTES) {
      chunks.push(JSON.stringify(group));
      group = [];
      bytes = 2;
    }
    group.push([row.userID, row.remark]);
    bytes += size;
  }
  if (group.length > 0) chunks.push(JSON.stringify(group));
  return chunks;
};

const chunkIndex = (item: Record<string, AttributeValue>): number =>
  Number((item[RECONCILER_KEY.sortKey]?.S ?? '').split('#').at(-1));

/** Exponential backoff with jitter for unprocessed batch items, as AWS recommends. */
const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2_000, 50 * 2 ** attempt)));
