import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { FriendGraphRows } from '../../functions/adapters/aws/friend-graph-rows';
import { FriendGraphTable } from '../../functions/adapters/aws/friend-graph-table';
import { ReconcilerMirrors } from '../../functions/adapters/aws/reconciler-mirrors';
import { ReconcilerTable } from '../../functions/adapters/aws/reconciler-table';
import { zeroCounters } from '../../functions/reconcile/differences';
import { mirrorGeneration } from '../../functions/reconcile/mirror-generation';
import { type MirrorStore, MirrorUnreadable, type UserMirror } from '../../functions/reconcile/ports';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';
import { InMemoryMirrors } from '../helpers/reconciler-fakes';

/** The reconciler's DynamoDB adapters against a real local DynamoDB (dynalite) through the real SDK. */
let dynamo: LocalDynamoDb;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(() => dynamo.stop());

const NOW = Date.UTC(2026, 10, 26, 3);

describe('the sweep lock', () => {
  it('is held by one sweep until released or expired; the holder may take it again', async () => {
    const table = new ReconcilerTable(dynamo.client, await dynamo.createReconcilerTable());
    expect(await table.acquire('s1', NOW + 1000, NOW)).toEqual({ acquired: true });
    expect(await table.acquire('s2', NOW + 1000, NOW)).toEqual({ acquired: false, heldBy: 's1' });
    expect(await table.acquire('s1', NOW + 2000, NOW)).toEqual({ acquired: true });
    await table.release('s2'); // not the holder: nothing happens
    expect(await table.acquire('s2', NOW + 3000, NOW + 1)).toEqual({ acquired: false, heldBy: 's1' });
    expect(await table.acquire('s2', NOW + 9000, NOW + 2001)).toEqual({ acquired: true }); // s1's expired
    await table.release('s2');
    expect(await table.acquire('s3', NOW + 9000, NOW + 2002)).toEqual({ acquired: true });
  });
});

describe('the sweep records', () => {
  it('add each checkpoint to the totals once, keep the cursor per part, and end in a summary', async () => {
    const table = new ReconcilerTable(dynamo.client, await dynamo.createReconcilerTable());
    await table.start('s1', { startedAt: NOW, usersListed: 10 });
    await table.checkpoint('s1', 'page#1', '25', {
      ...zeroCounters(),
      usersChecked: 25,
      friendAdded: 2,
      eventsPublished: 2,
    });
    await table.start('s1', { startedAt: NOW + 5, usersListed: 99 }); // a retried plan changes nothing
    await table.checkpoint('s1', 'page#1', 'done', { ...zeroCounters(), usersChecked: 5 });
    await table.checkpoint('s1', 'orphans#0', '', zeroCounters());
    await table.count('s1', { apiErrors: 1 });
    expect(await table.resumePoint('s1', 'page#1')).toBe('done');
    expect(await table.resumePoint('s1', 'orphans#0')).toBe('');
    expect(await table.resumePoint('s1', 'page#2')).toBeUndefined();
    expect(await table.summary('s1')).toMatchObject({ status: 'running', usersListed: 10 });
    const summary = await table.finish('s1', { status: 'completed', finishedAt: NOW + 60_000 });
    expect(summary).toEqual({
      sweepID: 's1',
      status: 'completed',
      startedAt: '2026-11-26T03:00:00.000Z',
      finishedAt: '2026-11-26T03:01:00.000Z',
      usersListed: 10,
      counters: { ...zeroCounters(), usersChecked: 30, friendAdded: 2, eventsPublished: 2, apiErrors: 1 },
    });
  });

  it("add up a snapshot's counters and name each unreadable owner once, beside the sweep counters", async () => {
    const table = new ReconcilerTable(dynamo.client, await dynamo.createReconcilerTable());
    await table.start('snap', { startedAt: NOW, usersListed: 4 });
    const sent = (users: number, friends: number, blacks: number, parts: number) => ({
      snapshotUsers: users,
      snapshotFriendRows: friends,
      snapshotBlackRows: blacks,
      snapshotParts: parts,
    });
    await table.checkpointSnapshot('snap', 'snapshot-page#1', '2', sent(1, 10, 1, 2), ['u2']);
    await table.checkpointSnapshot('snap', 'snapshot-page#1', 'done', sent(1, 0, 0, 1), []);
    await table.checkpointSnapshot('snap', 'snapshot-page#2', 'done', sent(0, 0, 0, 0), ['u9', 'u2']);
    expect(await table.resumePoint('snap', 'snapshot-page#1')).toBe('done');
    expect(await table.snapshotTotals('snap')).toEqual({
      counters: sent(2, 10, 1, 3),
      unreadableUserIDs: ['u2', 'u9'],
    });
    expect((await table.summary('snap'))?.counters).toEqual(zeroCounters());
    expect(await table.snapshotTotals('never')).toEqual({ counters: sent(0, 0, 0, 0), unreadableUserIDs: [] });
  });

  it('close a sweep that failed before it started, with the reason', async () => {
    const table = new ReconcilerTable(dynamo.client, await dynamo.createReconcilerTable());
    const summary = await table.finish('s9', { status: 'failed', finishedAt: NOW, error: 'AdminSecretNotSet: ...' });
    expect(summary).toMatchObject({ status: 'failed', error: 'AdminSecretNotSet: ...', counters: zeroCounters() });
  });
});

describe('the mirrors', () => {
  const mirror = (friends: number, remark = ''): UserMirror => ({
    version: { versionID: '0123456789abcdef01234567', version: 42 },
    friends: Array.from({ length: friends }, (_, index) => ({ userID: `friend-${index}`, remark })),
    sweepID: 's1',
    observedAt: NOW,
  });

  it('keep what was saved, and leave out users never saved (more than one batch)', async () => {
    const store = new ReconcilerMirrors(dynamo.client, await dynamo.createReconcilerTable());
    const saved = new Map(Array.from({ length: 130 }, (_, index) => [`u${index}`, mirror(index % 3, 'r')]));
    saved.set('empty', { version: { versionID: 'v', version: 1 }, friends: [], sweepID: 's1', observedAt: NOW });
    saved.set('versionless', { friends: [{ userID: '用户', remark: 'a<b&c' }], sweepID: 's2', observedAt: NOW });
    await store.save(saved);
    const loaded = await store.load([...saved.keys(), 'never']);
    expect(loaded).toEqual(saved);
  });

  it('split a list too large for one item into chunks, and replace them whole when it changes', async () => {
    const tableName = await dynamo.createReconcilerTable();
    const store = new ReconcilerMirrors(dynamo.client, tableName);
    const large = mirror(3_000, 'x'.repeat(200)); // about 700 KB of rows
    await store.save(new Map([['big', large]]));
    expect((await store.load(['big'])).get('big')).toEqual(large);
    const smaller = { ...mirror(2_000, 'y'.repeat(200)), sweepID: 's2', observedAt: NOW + 1 };
    await store.save(new Map([['big', smaller]]));
    expect((await store.load(['big'])).get('big')).toEqual(smaller);
    const chunkItems = (await dynamo.items(tableName)).filter((item) => String(item.sk).startsWith('rows#'));
    expect(chunkItems.length).toBe(2);
    expect(chunkItems.every((item) => String(item.sk).startsWith(`rows#${mirrorGeneration(smaller)}#`))).toBe(true);
  });

  it('delete the chunks of a list that shrinks to one item', async () => {
    const tableName = await dynamo.createReconcilerTable();
    const store = new ReconcilerMirrors(dynamo.client, tableName);
    await store.save(new Map([['big', mirror(3_000, 'x'.repeat(200))]]));
    const small = { ...mirror(10, 'x'), observedAt: NOW + 1 };
    await store.save(new Map([['big', small]]));
    expect((await store.load(['big'])).get('big')).toEqual(small);
    expect((await dynamo.items(tableName)).map((item) => item.sk)).toEqual(['mirror']);
  });

  it('keep which remarks were cut, inline and in chunks', async () => {
    const store = new ReconcilerMirrors(dynamo.client, await dynamo.createReconcilerTable());
    const cut = (rows: number): UserMirror => ({
      ...mirror(rows, 'z'.repeat(200)),
      friends: Array.from({ length: rows }, (_, index) => ({
        userID: `friend-${index}`,
        remark: 'z'.repeat(200),
        ...(index % 2 === 0 ? { remarkAltered: true as const } : {}),
      })),
    });
    const saved = new Map([
      ['inline', cut(4)],
      ['chunked', cut(3_000)],
    ]);
    await store.save(saved);
    expect(await store.load(['inline', 'chunked'])).toEqual(saved);
  });

  it('fail loudly, naming the user, when a chunk is missing or the rows do not add up; never a shorter list', async () => {
    const tableName = await dynamo.createReconcilerTable();
    const store = new ReconcilerMirrors(dynamo.client, tableName);
    const whole = mirror(5, 'r');
    await store.save(
      new Map([
        ['big', mirror(3_000, 'x'.repeat(200))],
        ['small', mirror(4, 'r')],
        ['whole', whole],
      ]),
    );
    const chunk = (await dynamo.items(tableName)).find((item) => String(item.sk).endsWith('#1'));
    await dynamo.client.send(
      new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'user#big' }, sk: { S: String(chunk?.sk) } } }),
    );
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'user#small' }, sk: { S: 'mirror' } },
        UpdateExpression: 'SET rowCount = :five',
        ExpressionAttributeValues: { ':five': { N: '5' } },
      }),
    );
    const failure = await store.load(['big', 'small', 'whole']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MirrorUnreadable);
    expect(failure).toMatchObject({
      userIDs: ['big', 'small'],
      readable: new Map([['whole', whole]]),
    });
    expect(String(failure)).toContain('big: chunks 1 of 2 missing, 1 found; small: 4 rows where 5 were saved');
  });

  it('load items written before generations: one item as it was; chunks without counts as never reconciled, then replaced', async () => {
    const tableName = await dynamo.createReconcilerTable();
    const put = (Item: Record<string, { S: string } | { N: string }>) =>
      dynamo.client.send(new PutItemCommand({ TableName: tableName, Item }));
    const userKey = (userID: string, sk: string) => ({ pk: { S: `user#${userID}` }, sk: { S: sk } });
    await put({ ...userKey('inline', 'mirror'), sweepID: { S: 's0' }, rows: { S: '[["f1","R"],["f2",""]]' } });
    await put({ ...userKey('chunked', 'mirror'), sweepID: { S: 's0' }, generation: { S: 's0#1764126000000' } });
    await put({ ...userKey('chunked', 'rows#s0#1764126000000#0'), rows: { S: '[["f1","R"]]' } });
    const store = new ReconcilerMirrors(dynamo.client, tableName);
    expect(await store.load(['inline', 'chunked'])).toEqual(
      new Map([
        [
          'inline',
          {
            friends: [
              { userID: 'f1', remark: 'R' },
              { userID: 'f2', remark: '' },
            ],
            sweepID: 's0',
            observedAt: 0,
          },
        ],
      ]),
    );
    const replacement = mirror(3_000, 'x'.repeat(200));
    expect(await store.save(new Map([['chunked', replacement]]))).toEqual({ superseded: [] });
    expect((await store.load(['chunked'])).get('chunked')).toEqual(replacement);
    const left = (await dynamo.items(tableName)).filter((item) => item.pk === 'user#chunked').map((item) => item.sk);
    expect(left.every((sk) => sk === 'mirror' || sk?.startsWith(`rows#${mirrorGeneration(replacement)}#`))).toBe(true);
  });
});

describe.each([
  ['in memory', async () => new InMemoryMirrors()],
  ['in DynamoDB', async () => new ReconcilerMirrors(dynamo.client, await dynamo.createReconcilerTable())],
])('the mirror store (%s)', (_, newStore) => {
  const at = (observedAt: number, remark: string): UserMirror => ({
    friends: [{ userID: 'f', remark }],
    sweepID: 's1',
    observedAt,
  });

  it('keeps the mirror of the later read, and names the users whose save changed nothing', async () => {
    const store: MirrorStore = await newStore();
    expect(await store.save(new Map([['u', at(NOW + 1, 'later')]]))).toEqual({ superseded: [] });
    expect(
      await store.save(
        new Map([
          ['u', at(NOW, 'earlier')],
          ['v', at(NOW, 'v')],
        ]),
      ),
    ).toEqual({ superseded: ['u'] });
    expect((await store.load(['u'])).get('u')).toEqual(at(NOW + 1, 'later'));
    expect(await store.save(new Map([['u', at(NOW + 1, 'later')]]))).toEqual({ superseded: [] }); // the same again
  });

  it('orders two reads of one millisecond the same way whichever is saved first', async () => {
    const [first, second] = [await newStore(), await newStore()];
    await first.save(new Map([['u', at(NOW, 'one')]]));
    await first.save(new Map([['u', at(NOW, 'two')]]));
    await second.save(new Map([['u', at(NOW, 'two')]]));
    await second.save(new Map([['u', at(NOW, 'one')]]));
    expect((await first.load(['u'])).get('u')).toEqual((await second.load(['u'])).get('u'));
  });
});

describe('the graph as the reconciler reads it', () => {
  it('gives each owner friends with remarks, blocks and the version of each register, and every owner in exactly one segment', async () => {
    const tableName = await dynamo.createFriendGraphTable();
    const graph = new FriendGraphTable(dynamo.client, tableName);
    const version = '2026-11-26T03:00:00.000Z#k';
    const later = '2026-11-26T03:00:01.000Z#k';
    const owners = Array.from({ length: 40 }, (_, index) => `owner-${index}`);
    for (const owner of owners) {
      await graph.apply({ ownerUserID: owner, otherUserID: 'f', version, register: 'state', value: 'friends' });
      await graph.apply({ ownerUserID: owner, otherUserID: 'r', version, register: 'state', value: 'removed' });
    }
    await graph.apply({ ownerUserID: 'owner-0', otherUserID: 'f', version: later, register: 'remark', value: 'F' });
    await graph.apply({ ownerUserID: 'owner-0', otherUserID: 'b', version, register: 'blacklist', value: 'blocked' });
    await graph.apply({
      ownerUserID: 'owner-0',
      otherUserID: 'n',
      version: later,
      register: 'blacklist',
      value: 'none',
    });
    const rows = new FriendGraphRows(dynamo.client, tableName);
    expect(await rows.ownerView('owner-0')).toEqual({
      friends: new Map([['f', 'F']]),
      blocked: new Set(['b']),
      versions: new Map([
        ['b', { blacklist: version }],
        ['f', { state: version, remark: later }],
        ['n', { blacklist: later }],
        ['r', { state: version }],
      ]),
    });
    expect(await rows.ownerView('owner-1')).toEqual({
      friends: new Map([['f', '']]),
      blocked: new Set(),
      versions: new Map([
        ['f', { state: version }],
        ['r', { state: version }],
      ]),
    });

    const seen: string[] = [];
    for (const segment of [0, 1, 2]) {
      let cursor: string | undefined;
      do {
        const page = await rows.ownersPage(segment, 3, cursor);
        seen.push(...page.owners);
        cursor = page.next;
      } while (cursor !== undefined);
    }
    // An owner's rows can straddle two scan pages: listed twice at most, never missed.
    expect([...new Set(seen)].sort()).toEqual([...owners].sort());
  });
});
