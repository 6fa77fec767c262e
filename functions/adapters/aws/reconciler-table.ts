import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { RECONCILER_KEY, RECONCILER_TTL_ATTRIBUTE } from '../../contract/deployment';
import { addCounters, type SweepCounters, zeroCounters } from '../../reconcile/differences';
import type {
  SnapshotCounters,
  SnapshotProgress,
  SnapshotTotals,
  SweepLock,
  SweepRecords,
  SweepSummary,
} from '../../reconcile/ports';
import { zeroSnapshotCounters } from '../../reconcile/snapshot-part';

export { RECONCILER_KEY, RECONCILER_TTL_ATTRIBUTE };

const SWEEP_RECORD_DAYS = 90;

const key = (pk: string, sk: string) => ({
  [RECONCILER_KEY.partitionKey]: { S: pk },
  [RECONCILER_KEY.sortKey]: { S: sk },
});
const LOCK = key('lock', 'lock');
const sweepKey = (sweepID: string) => key(`sweep#${sweepID}`, 'summary');
const partKey = (sweepID: string, part: string) => key(`sweep#${sweepID}`, `part#${part}`);

const COUNTER_NAMES = Object.keys(zeroCounters()) as (keyof SweepCounters)[];
const SNAPSHOT_COUNTER_NAMES = Object.keys(zeroSnapshotCounters()) as (keyof SnapshotCounters)[];
/** A string set on a snapshot's part items: the owners it could not read. */
const UNREADABLE_USERS = 'unreadableUserIDs';

/**
 * The sweep lock and the sweep records in the reconciler's table: a summary item per sweep, and
 * an item per part holding its cursor and its counters (so a checkpoint is one atomic write and
 * a retried part never counts its finished chunks twice); the totals are their sum.
 */
export class ReconcilerTable implements SweepRecords, SweepLock, SnapshotProgress {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async acquire(sweepID: string, expiresAt: number, now: number) {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...LOCK, sweepID: { S: sweepID }, expiresAt: { N: String(expiresAt) } },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR sweepID = :sweep',
          ExpressionAttributeValues: { ':now': { N: String(now) }, ':sweep': { S: sweepID } },
        }),
      );
      return { acquired: true as const };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: LOCK, ConsistentRead: true }),
      );
      return { acquired: false as const, heldBy: Item?.sweepID?.S ?? 'another sweep' };
    }
  }

  async release(sweepID: string) {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: LOCK,
          ConditionExpression: 'sweepID = :sweep',
          ExpressionAttributeValues: { ':sweep': { S: sweepID } },
        }),
      );
    } catch (error) {
      // Already released, expired and taken by another sweep, or never taken: nothing of ours to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async start(sweepID: string, start: { startedAt: number; usersListed: number }) {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...sweepKey(sweepID),
            status: { S: 'running' },
            startedAt: { N: String(start.startedAt) },
            usersListed: { N: String(start.usersListed) },
            [RECONCILER_TTL_ATTRIBUTE]: { N: String(Math.floor(start.startedAt / 1000) + SWEEP_RECORD_DAYS * 86_400) },
          },
          // A retried plan must not reset the counters of a sweep that has begun.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async resumePoint(sweepID: string, part: string) {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: partKey(sweepID, part), ConsistentRead: true }),
    );
    return Item?.cursor?.S;
  }

  async checkpoint(sweepID: string, part: string, cursor: string, counters: SweepCounters) {
    await this.saveCursor(sweepID, part, cursor, addExpression(counters));
  }

  async checkpointSnapshot(
    sweepID: string,
    part: string,
    cursor: string,
    counters: SnapshotCounters,
    unreadableUserIDs: readonly string[],
  ) {
    const added = addExpression(counters);
    if (unreadableUserIDs.length === 0) return this.saveCursor(sweepID, part, cursor, added);
    // A string set: an owner on two pages (shifted between their reads) is named once.
    await this.saveCursor(sweepID, part, cursor, {
      UpdateExpression: `${added ? `${added.UpdateExpression}, ` : 'ADD '}#unreadable :unreadable`,
      ExpressionAttributeNames: { ...added?.ExpressionAttributeNames, '#unreadable': UNREADABLE_USERS },
      ExpressionAttributeValues: { ...added?.ExpressionAttributeValues, ':unreadable': { SS: [...unreadableUserIDs] } },
    });
  }

  /** The snapshot's counters and unreadable owners, added up over its parts. */
  async snapshotTotals(sweepID: string): Promise<SnapshotTotals> {
    const counters = zeroSnapshotCounters();
    const unreadable = new Set<string>();
    for await (const item of this.sweepItems(sweepID)) {
      for (const name of SNAPSHOT_COUNTER_NAMES) counters[name] += number(item, name);
      for (const userID of item[UNREADABLE_USERS]?.SS ?? []) unreadable.add(userID);
    }
    return { counters, unreadableUserIDs: [...unreadable].sort() };
  }

  private async saveCursor(sweepID: string, part: string, cursor: string, added: ReturnType<typeof addExpression>) {
    // One item per part holds its cursor and its counters: one atomic write, and no hot item.
    const ttl = Math.floor(Date.now() / 1000) + SWEEP_RECORD_DAYS * 86_400;
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: partKey(sweepID, part),
        UpdateExpression: `SET #cursor = :cursor, #ttl = :ttl${added ? ` ${added.UpdateExpression}` : ''}`,
        ExpressionAttributeNames: {
          '#cursor': 'cursor',
          '#ttl': RECONCILER_TTL_ATTRIBUTE,
          ...added?.ExpressionAttributeNames,
        },
        ExpressionAttributeValues: {
          ':cursor': { S: cursor },
          ':ttl': { N: String(ttl) },
          ...added?.ExpressionAttributeValues,
        },
      }),
    );
  }

  async count(sweepID: string, counters: Partial<SweepCounters>) {
    const added = addExpression(counters);
    if (added)
      await this.client.send(new UpdateItemCommand({ TableName: this.tableName, Key: sweepKey(sweepID), ...added }));
  }

  async finish(sweepID: string, end: { status: 'completed' | 'failed'; finishedAt: number; error?: string }) {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: sweepKey(sweepID),
        UpdateExpression: `SET #status = :status, finishedAt = :finishedAt, startedAt = if_not_exists(startedAt, :finishedAt)${end.error ? ', #error = :error' : ''}`,
        ExpressionAttributeNames: { '#status': 'status', ...(end.error ? { '#error': 'error' } : {}) },
        ExpressionAttributeValues: {
          ':status': { S: end.status },
          ':finishedAt': { N: String(end.finishedAt) },
          ...(end.error ? { ':error': { S: end.error } } : {}),
        },
      }),
    );
    const summary = await this.summary(sweepID);
    if (!summary) throw new Error(`sweep ${sweepID} has no record`);
    return summary;
  }

  /** The sweep's record with the counters of all its parts added up; undefined before it started. */
  async summary(sweepID: string): Promise<SweepSummary | undefined> {
    let record: Record<string, AttributeValue> | undefined;
    let counters = zeroCounters();
    for await (const item of this.sweepItems(sweepID)) {
      if (item[RECONCILER_KEY.sortKey]?.S === 'summary') record = item;
      counters = addCounters(counters, Object.fromEntries(COUNTER_NAMES.map((name) => [name, number(item, name)])));
    }
    return record ? summaryOf(sweepID, record, counters) : undefined;
  }

  /** The sweep's summary item and its part items. */
  private async *sweepItems(sweepID: string): AsyncGenerator<Record<string, AttributeValue>> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': RECONCILER_KEY.partitionKey },
        ExpressionAttributeValues: { ':pk': { S: `sweep#${sweepID}` } },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) yield* page.Items ?? [];
  }
}

/** `ADD` for each counter that is not zero; undefined when all are. */
const addExpression = (counters: Partial<SweepCounters> | SnapshotCounters) => {
  const added = (Object.entries(counters) as [string, number][]).filter(([, value]) => value !== 0);
  if (added.length === 0) return undefined;
  return {
    UpdateExpression: `ADD ${added.map((_, index) => `#c${index} :c${index}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(added.map(([name], index) => [`#c${index}`, name])),
    ExpressionAttributeValues: Object.fromEntries(
      added.map(([, value], index) => [`:c${index}`, { N: String(value) }]),
    ) as Record<string, AttributeValue>,
  };
};

const number = (item: Record<string, AttributeValue>, name: string): number => Number(item[name]?.N ?? 0);

const summaryOf = (sweepID: string, item: Record<string, AttributeValue>, counters: SweepCounters): SweepSummary => {
  const status = item.status?.S;
  return {
    sweepID,
    status: status === 'completed' || status === 'failed' ? status : 'running',
    startedAt: new Date(number(item, 'startedAt')).toISOString(),
    finishedAt: new Date(number(item, 'finishedAt') || Date.now()).toISOString(),
    usersListed: number(item, 'usersListed'),
    counters,
    ...(item.error?.S ? { error: item.error.S } : {}),
  };
};
