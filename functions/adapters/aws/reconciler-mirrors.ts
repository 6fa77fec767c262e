import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { mirrorGeneration } from '../../reconcile/mirror-generation';
import type { FriendRow } from '../../reconcile/openim-directory';
import { type MirrorStore, MirrorUnreadable, type UserMirror } from '../../reconcile/ports';
import { RECONCILER_KEY } from './reconciler-table';

/** Below DynamoDB's 400 KB item limit with room for the other attributes. */
const INLINE_ROWS_BYTES = 350_000;
const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;
const UNPROCESSED_RETRIES = 8;
/** Users saved at once (each save is its own conditional write). */
const SAVES_IN_FLIGHT = 8;
/** Loads of one chunked mirror while saves keep replacing it under the reader. */
const CHUNKED_LOAD_TRIES = 3;

const mirrorKey = (userID: string) => ({
  [RECONCILER_KEY.partitionKey]: { S: `user#${userID}` },
  [RECONCILER_KEY.sortKey]: { S: 'mirror' },
});
const chunkKey = (userID: string, sk: string) => ({
  [RECONCILER_KEY.partitionKey]: { S: `user#${userID}` },
  [RECONCILER_KEY.sortKey]: { S: sk },
});
const chunkPrefix = (generation: string) => `rows#${generation}#`;

type Item = Record<string, AttributeValue>;
type Loaded = { kind: 'mirror'; mirror: UserMirror } | { kind: 'absent' } | { kind: 'broken'; why: string };

/**
 * Each user's mirror (friend rows as OpenIM last reported them, version, sweep, when the read
 * began) in the reconciler's table: one item per user, read 100 at a time. A list too large for
 * one item goes into chunk items named after the mirror's generation, written before the item
 * that points to them. The item is written only if it is not older than the stored one (its
 * generation, `mirror-generation.ts`), and names its chunk and row counts; a load that finds
 * fewer fails. Chunks of generations older than the stored item's can never be pointed to again
 * and are deleted; a newer writer's chunks never are (docs/design.md, "Mirrors that cannot empty").
 */
export class ReconcilerMirrors implements MirrorStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(userIDs: readonly string[]): Promise<Map<string, UserMirror>> {
    const mirrors = new Map<string, UserMirror>();
    const broken = new Map<string, string>();
    for (let at = 0; at < userIDs.length; at += BATCH_GET_KEYS) {
      for (const item of await this.batchGet(userIDs.slice(at, at + BATCH_GET_KEYS))) {
        const userID = (item[RECONCILER_KEY.partitionKey]?.S ?? '').slice('user#'.length);
        const loaded = await this.mirrorOf(userID, item);
        if (loaded.kind === 'mirror') mirrors.set(userID, loaded.mirror);
        else if (loaded.kind === 'broken') broken.set(userID, loaded.why);
      }
    }
    if (broken.size > 0) {
      const userIDsBroken = [...broken.keys()].sort();
      const detail = userIDsBroken.map((userID) => `${userID}: ${broken.get(userID)}`).join('; ');
      throw new MirrorUnreadable(userIDsBroken, mirrors, detail);
    }
    return mirrors;
  }

  async save(mirrors: ReadonlyMap<string, UserMirror>): Promise<{ superseded: string[] }> {
    const entries = [...mirrors];
    const superseded: string[] = [];
    let next = 0;
    const lane = async () => {
      while (next < entries.length) {
        const [userID, mirror] = entries[next++] as [string, UserMirror];
        if ((await this.saveOne(userID, mirror)) === 'superseded') superseded.push(userID);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SAVES_IN_FLIGHT, entries.length) }, lane));
    return { superseded: superseded.sort() };
  }

  private async saveOne(userID: string, mirror: UserMirror): Promise<'saved' | 'superseded'> {
    const generation = mirrorGeneration(mirror);
    const rows = JSON.stringify(mirror.friends.map(rowTuple));
    const chunks = Buffer.byteLength(rows) <= INLINE_ROWS_BYTES ? [] : chunkRows(mirror.friends);
    await this.batchWrite(
      chunks.map((chunk, index) => ({
        PutRequest: { Item: { ...chunkKey(userID, `${chunkPrefix(generation)}${index}`), rows: { S: chunk } } },
      })),
    );
    let replaced: Item | undefined;
    try {
      const output = await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...mirrorKey(userID),
            sweepID: { S: mirror.sweepID },
            ...(mirror.version
              ? { versionID: { S: mirror.version.versionID }, version: { N: String(mirror.version.version) } }
              : {}),
            observedAt: { N: String(mirror.observedAt) },
            generation: { S: generation },
            rowCount: { N: String(mirror.friends.length) },
            ...(chunks.length > 0 ? { chunks: { N: String(chunks.length) } } : { rows: { S: rows } }),
          },
          // Items written before generations were ordered (no observedAt) yield to any save.
          ConditionExpression: 'attribute_not_exists(#observedAt) OR #generation <= :generation',
          ExpressionAttributeNames: { '#observedAt': 'observedAt', '#generation': 'generation' },
          ExpressionAttributeValues: { ':generation': { S: generation } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      replaced = output.Attributes;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A newer mirror stands: this save's chunks are orphans no item will ever point to.
      if (chunks.length > 0) await this.deleteChunks(userID, (sk) => sk.startsWith(chunkPrefix(generation)));
      return 'superseded';
    }
    // Querying for older chunks costs a read: only when some may exist (this save or the one it
    // replaced was chunked; orphans of lost races wait for the next chunked save).
    const replacedChunked = replaced?.chunks !== undefined || (replaced?.generation && !replaced.observedAt);
    if (chunks.length > 0 || replacedChunked) {
      await this.deleteChunks(userID, (sk) => chunkGenerationOf(sk) < generation || !isOrdered(sk));
    }
    return 'saved';
  }

  private async mirrorOf(userID: string, first: Item): Promise<Loaded> {
    let item = first;
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.readItem(userID, item);
      if (loaded.kind !== 'broken' || attempt >= CHUNKED_LOAD_TRIES) return loaded;
      // A save may have replaced the item and deleted its chunks while we read: read it again.
      const { Item: now } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: mirrorKey(userID), ConsistentRead: true }),
      );
      if (now === undefined) return { kind: 'absent' };
      if (now.generation?.S === item.generation?.S) return loaded;
      item = now;
    }
  }

  private async readItem(userID: string, item: Item): Promise<Loaded> {
    const generation = item.generation?.S;
    // Before generations were ordered, a chunked item named no counts: it cannot prove it is
    // whole, so the user reads as never reconciled (a whole read) until a save replaces it.
    if (item.observedAt?.N === undefined && generation !== undefined) return { kind: 'absent' };
    let friends: FriendRow[];
    if (item.chunks?.N !== undefined && generation !== undefined) {
      const chunks = await this.chunksOf(userID, generation);
      const expected = Number(item.chunks.N);
      const missing = Array.from({ length: expected }, (_, index) => index).filter((index) => !chunks.has(index));
      if (missing.length > 0 || chunks.size !== expected) {
        return { kind: 'broken', why: `chunks ${missing.join(', ')} of ${expected} missing, ${chunks.size} found` };
      }
      friends = [...chunks.keys()].sort((a, b) => a - b).flatMap((index) => parseRows(chunks.get(index) ?? '[]'));
    } else {
      friends = parseRows(item.rows?.S ?? '[]');
    }
    const rowCount = item.rowCount?.N;
    if (rowCount !== undefined && Number(rowCount) !== friends.length) {
      return { kind: 'broken', why: `${friends.length} rows where ${rowCount} were saved` };
    }
    return {
      kind: 'mirror',
      mirror: {
        friends,
        sweepID: item.sweepID?.S ?? '',
        ...(item.versionID?.S !== undefined
          ? { version: { versionID: item.versionID.S, version: Number(item.version?.N) } }
          : {}),
        observedAt: Number(item.observedAt?.N ?? 0),
      },
    };
  }

  /** The chunks of one generation by number (sort keys compare as text: "10" before "2"). */
  private async chunksOf(userID: string, generation: string): Promise<Map<number, string>> {
    const chunks = new Map<number, string>();
    for await (const page of this.queryChunks(userID, chunkPrefix(generation))) {
      for (const chunk of page.Items ?? []) chunks.set(chunkIndex(chunk), chunk.rows?.S ?? '[]');
    }
    return chunks;
  }

  private async deleteChunks(userID: string, doomed: (sk: string) => boolean): Promise<void> {
    const keys: string[] = [];
    for await (const page of this.queryChunks(userID, 'rows#', true)) {
      for (const item of page.Items ?? []) {
        const sk = item[RECONCILER_KEY.sortKey]?.S ?? '';
        if (doomed(sk)) keys.push(sk);
      }
    }
    await this.batchWrite(keys.map((sk) => ({ DeleteRequest: { Key: chunkKey(userID, sk) } })));
  }

  private queryChunks(userID: string, prefix: string, keysOnly = false) {
    return paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': RECONCILER_KEY.partitionKey, '#sk': RECONCILER_KEY.sortKey },
        ExpressionAttributeValues: { ':pk': { S: `user#${userID}` }, ':prefix': { S: prefix } },
        ...(keysOnly ? { ProjectionExpression: '#sk' } : {}),
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

/** A row as stored: `[userID, remark]`, or `[userID, remark, 1]` when the remark was cut. */
type RowTuple = [string, string] | [string, string, 1];
const rowTuple = (row: FriendRow): RowTuple =>
  row.remarkAltered ? [row.userID, row.remark, 1] : [row.userID, row.remark];

const parseRows = (text: string): FriendRow[] =>
  (JSON.parse(text) as RowTuple[]).map(([userID, remark, altered]) =>
    altered === 1 ? { userID, remark, remarkAltered: true } : { userID, remark },
  );

/** Rows in groups whose JSON stays under the inline limit (a group is at least one row). */
const chunkRows = (friends: readonly FriendRow[]): string[] => {
  const chunks: string[] = [];
  let group: RowTuple[] = [];
  let bytes = 2;
  for (const row of friends) {
    const tuple = rowTuple(row);
    const size = Buffer.byteLength(JSON.stringify(tuple)) + 1;
    if (group.length > 0 && bytes + size > INLINE_ROWS_BYTES) {
      chunks.push(JSON.stringify(group));
      group = [];
      bytes = 2;
    }
    group.push(tuple);
    bytes += size;
  }
  if (group.length > 0) chunks.push(JSON.stringify(group));
  return chunks;
};

/** `rows#<generation>#<index>`: the generation. */
const chunkGenerationOf = (sk: string): string => sk.slice('rows#'.length, sk.lastIndexOf('#'));
/** A chunk named by an ordered generation (older stores named them `<sweepID>#<time>`). */
const isOrdered = (sk: string): boolean => /^\d{15}#[0-9a-f]{24}$/.test(chunkGenerationOf(sk));

const chunkIndex = (item: Record<string, AttributeValue>): number =>
  Number((item[RECONCILER_KEY.sortKey]?.S ?? '').split('#').at(-1));

/** Exponential backoff with jitter for unprocessed batch items, as AWS recommends. */
const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2_000, 50 * 2 ** attempt)));
