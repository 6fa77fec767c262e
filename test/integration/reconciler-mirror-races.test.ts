import { isDeepStrictEqual } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReconcilerMirrors } from '../../functions/adapters/aws/reconciler-mirrors';
import type { UserMirror } from '../../functions/reconcile/ports';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';

/**
 * Two workers saving one user's large mirror at once (a page shifted by new users, or a sweep
 * started while a failed Map's Lambdas still run), against dynalite through the real SDK. The
 * steps are interleaved by holding each worker just before it writes the mirror item, so every
 * order is taken on purpose rather than by timing.
 */
let dynamo: LocalDynamoDb;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(() => dynamo.stop());

const NOW = Date.UTC(2026, 11, 6, 3);
const ROWS = 20_000;

/** About 1.2 MB of rows: four chunks. */
const largeMirror = (label: string, observedAt: number, rows = ROWS): UserMirror => ({
  version: { versionID: '0123456789abcdef01234567', version: observedAt - NOW + 1 },
  friends: Array.from({ length: rows }, (_, index) => ({
    userID: `friend-${index}`,
    remark: `${label} ${'r'.repeat(40)} ${index}`,
  })),
  sweepID: `sweep-${label}`,
  observedAt,
});

/** A worker with its own client whose writes of the mirror item wait for `release()`. */
const heldWorker = (tableName: string) => {
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
  let signalReached = () => {};
  const reached = new Promise<void>((resolve) => {
    signalReached = resolve;
  });
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      if (writesMirrorItem(args.input)) {
        signalReached();
        await released;
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  return { store: new ReconcilerMirrors(client, tableName), reached, release, stop: () => client.destroy() };
};

/** A PutItem, or a BatchWriteItem put, of an item whose sort key is `mirror`. */
const writesMirrorItem = (input: unknown): boolean => {
  const text = JSON.stringify(input);
  return text.includes('"sk":{"S":"mirror"}') && !text.includes('DeleteRequest');
};

/**
 * `expect(actual).toEqual(expected)` for a large mirror: jest's deep equality took about 0.3 s of
 * CPU per 20,000 rows, so it only runs, for its diff, when Node's stricter comparison finds a difference.
 */
const expectMirror = (actual: UserMirror | undefined, expected: UserMirror | undefined) => {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
};

const chunkKeys = async (tableName: string) =>
  (await dynamo.items(tableName)).map((item) => String(item.sk)).filter((sk) => sk.startsWith('rows#'));

describe('two saves of one large mirror', () => {
  const orders = [
    { older: 'a', newer: 'b', itemFirst: 'a' },
    { older: 'a', newer: 'b', itemFirst: 'b' },
    { older: 'b', newer: 'a', itemFirst: 'a' },
    { older: 'b', newer: 'a', itemFirst: 'b' },
  ] as const;

  it.each(orders)(
    'both write their chunks, then the items in turn ($itemFirst first; $newer read later): the later read stands, whole',
    async ({ newer, itemFirst }) => {
      const tableName = await dynamo.createReconcilerTable();
      const workers = { a: heldWorker(tableName), b: heldWorker(tableName) };
      const mirrors = {
        a: largeMirror('a', newer === 'a' ? NOW + 2 : NOW + 1),
        b: largeMirror('b', newer === 'b' ? NOW + 2 : NOW + 1),
      };
      const saves = {
        a: workers.a.store.save(new Map([['u', mirrors.a]])),
        b: workers.b.store.save(new Map([['u', mirrors.b]])),
      };
      await Promise.all([workers.a.reached, workers.b.reached]);
      const itemSecond = itemFirst === 'a' ? 'b' : 'a';
      workers[itemFirst].release();
      await saves[itemFirst];
      workers[itemSecond].release();
      await saves[itemSecond];
      for (const worker of Object.values(workers)) worker.stop();

      const loaded = (await new ReconcilerMirrors(dynamo.client, tableName).load(['u'])).get('u');
      expect(loaded?.friends.length).toBe(ROWS);
      expectMirror(loaded, mirrors[newer]);
      // Only the standing mirror's chunks are left.
      const left = await chunkKeys(tableName);
      expect(left.length).toBe(4);
      expect(new Set(left.map((sk) => sk.split('#').slice(0, -1).join('#'))).size).toBe(1);
    },
  );

  it('one after the other: a save of an older read changes nothing and says so', async () => {
    const tableName = await dynamo.createReconcilerTable();
    const store = new ReconcilerMirrors(dynamo.client, tableName);
    const newer = largeMirror('new', NOW + 2);
    const older = largeMirror('old', NOW + 1, ROWS - 1);
    expect(await store.save(new Map([['u', newer]]))).toEqual({ superseded: [] });
    expect(await store.save(new Map([['u', older]]))).toEqual({ superseded: ['u'] });
    expectMirror((await store.load(['u'])).get('u'), newer);
    expect((await chunkKeys(tableName)).length).toBe(4);
  });

  it('raced freely, round after round, always leave one whole mirror', async () => {
    const tableName = await dynamo.createReconcilerTable();
    const stores = [0, 1].map(
      () => new ReconcilerMirrors(new DynamoDBClient({ endpoint: dynamo.endpoint }), tableName),
    );
    for (let round = 0; round < 4; round++) {
      const contenders = [
        largeMirror(`r${round}a`, NOW + 10 * round + 1),
        largeMirror(`r${round}b`, NOW + 10 * round + 2),
      ];
      await Promise.all(contenders.map((mirror, index) => stores[index]?.save(new Map([['u', mirror]]))));
      expectMirror((await stores[0]?.load(['u']))?.get('u'), contenders[1]);
    }
  });

  it('a load that a save overtakes between the item and its chunks reads the new mirror, whole', async () => {
    const tableName = await dynamo.createReconcilerTable();
    const writer = new ReconcilerMirrors(dynamo.client, tableName);
    const first = largeMirror('first', NOW + 1);
    const second = largeMirror('second', NOW + 2, ROWS - 1);
    await writer.save(new Map([['u', first]]));
    const readerClient = new DynamoDBClient({ endpoint: dynamo.endpoint });
    let overtaken = false;
    readerClient.middlewareStack.add(
      (next) => async (args) => {
        // The reader holds the first mirror's item; the second save lands and deletes its chunks.
        if (!overtaken && JSON.stringify(args.input).includes('rows#')) {
          overtaken = true;
          await writer.save(new Map([['u', second]]));
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const loaded = (await new ReconcilerMirrors(readerClient, tableName).load(['u'])).get('u');
    readerClient.destroy();
    expect(overtaken).toBe(true);
    expectMirror(loaded, second);
  });
});
