import { FriendGraphTable } from '../../functions/adapters/aws/friend-graph-table';
import { isFriendEvent } from '../../functions/contract/events';
import { changeVersion, readPair } from '../../functions/friend-graph/friend-graph';
import { eventsFor } from '../helpers/callback-events';
import {
  agree,
  at,
  deleteFriend,
  importFriends,
  localGraph,
  remark,
  removeBlack,
  request,
} from '../helpers/friend-graph-fixtures';
import { snapshotEvents } from '../helpers/snapshot-parts';

/**
 * The reference subscriber against a real DynamoDB implementation (dynalite, in memory) through
 * the real SDK. Events are made by the product's own parser and mapper from OpenIM bodies.
 */
const { dynamo, applyAll, graph } = localGraph();

describe('the friend graph in DynamoDB', () => {
  it('follows a friendship through its whole lifecycle', async () => {
    const table = await dynamo().createFriendGraphTable();
    await applyAll(table, [
      ...eventsFor(request('alice', 'bob'), at(1)),
      ...eventsFor(agree('alice', 'bob'), at(2)),
      ...eventsFor(remark('alice', 'bob', 'Bob (work)'), at(3)),
      ...eventsFor(remark('bob', 'alice', 'Al', 'callbackAfterSetFriendRemark'), at(4)),
      ...eventsFor(deleteFriend('alice', 'bob'), at(5)),
      ...eventsFor(removeBlack('bob', 'carol'), at(6)),
      ...eventsFor(importFriends('carol', ['alice', 'dave']), at(7)),
    ]);
    expect(await graph(table)).toEqual([
      { pair: 'alice->bob', state: 'removed', request: 'none', remark: '' }, // a delete drops the row, remark included
      { pair: 'alice->carol', state: 'friends' },
      { pair: 'bob->alice', state: 'friends', request: 'none', remark: 'Al' }, // one-way: bob still lists alice
      { pair: 'bob->carol', blacklist: 'none' },
      { pair: 'carol->alice', state: 'friends' },
      { pair: 'carol->dave', state: 'friends' },
      { pair: 'dave->carol', state: 'friends' },
    ]);
  });

  it('applies a duplicate delivery once', async () => {
    const table = await dynamo().createFriendGraphTable();
    const [event] = eventsFor(agree('alice', 'bob'), at(1), 'op-1');
    if (!event) throw new Error('no event');
    expect(await applyAll(table, [event, event])).toEqual([
      { applied: 4, ignored: 0 },
      { applied: 0, ignored: 4 },
    ]);
  });

  it('ignores a change older than the stored one (a delete overtaken by the request it followed)', async () => {
    const table = await dynamo().createFriendGraphTable();
    await applyAll(table, [
      ...eventsFor(agree('alice', 'bob'), at(1)),
      ...eventsFor(deleteFriend('alice', 'bob'), at(3)),
      ...eventsFor(remark('alice', 'bob', 'late'), at(2)),
      ...eventsFor(request('alice', 'bob'), at(0)),
    ]);
    expect(await graph(table)).toEqual([
      { pair: 'alice->bob', state: 'removed', request: 'none', remark: '' },
      { pair: 'bob->alice', state: 'friends', request: 'none' },
    ]);
  });

  it('keeps a friend row a later request cannot downgrade: agree(A, B), B deletes A, A asks B again', async () => {
    const table = await dynamo().createFriendGraphTable();
    await applyAll(table, [
      ...eventsFor(agree('A', 'B'), at(1)),
      ...eventsFor(deleteFriend('B', 'A'), at(2)),
      ...eventsFor(request('A', 'B'), at(3)),
    ]);
    // OpenIM: A's row stays (it refuses a request only when both rows exist), B's is gone, the request waits.
    expect(await graph(table)).toEqual([
      { pair: 'A->B', state: 'friends', request: 'pending' },
      { pair: 'B->A', state: 'removed', request: 'none', remark: '' },
    ]);
    const [ab] = await dynamo().items(table);
    expect(readPair(ab ?? {})).toEqual({ friendRow: true, requestPending: true, remark: '', blacklist: undefined });
  });

  it('answers both pending requests on an accept, and a later request is pending again', async () => {
    const table = await dynamo().createFriendGraphTable();
    await applyAll(table, [
      ...eventsFor(request('A', 'B'), at(1)),
      ...eventsFor(request('B', 'A'), at(2)),
      ...eventsFor(agree('A', 'B'), at(3)),
    ]);
    const requests = async () => (await graph(table)).map(({ pair, request }) => `${pair}:${request}`);
    expect(await requests()).toEqual(['A->B:none', 'B->A:none']);
    await applyAll(table, eventsFor(request('B', 'A'), at(4))); // say after A deleted B
    expect(await requests()).toEqual(['A->B:none', 'B->A:pending']);
  });

  it('reads an entry written before requests had a register (state: requested) as no friend row, request pending, and lets newer changes through', async () => {
    const table = await dynamo().createFriendGraphTable();
    const legacy = eventsFor(request('A', 'B'), at(1))[0];
    if (!legacy) throw new Error('no event');
    // What the previous version wrote for a request: the state register itself.
    await new FriendGraphTable(dynamo().client, table).apply({
      ownerUserID: 'A',
      otherUserID: 'B',
      version: changeVersion(legacy.detail.receivedAt, legacy.detail.idempotencyKey),
      register: 'state',
      value: 'requested' as never,
    });
    expect(readPair((await dynamo().items(table))[0] ?? {})).toMatchObject({ friendRow: false, requestPending: true });
    await applyAll(table, eventsFor(agree('A', 'B'), at(2)));
    expect(readPair((await dynamo().items(table))[0] ?? {})).toMatchObject({ friendRow: true, requestPending: false });
  });

  it('orders two changes received in the same millisecond the same way whatever the delivery order', async () => {
    const changes = [
      ...eventsFor(remark('alice', 'bob', 'one'), at(1)),
      ...eventsFor(remark('alice', 'bob', 'two'), at(1)),
    ];
    const forward = await dynamo().createFriendGraphTable();
    const backward = await dynamo().createFriendGraphTable();
    await applyAll(forward, changes);
    await applyAll(backward, [...changes].reverse());
    expect(await graph(forward)).toEqual(await graph(backward));
    expect(await graph(forward)).toHaveLength(1);
  });

  it('applies every part of an import split to fit EventBridge', async () => {
    const table = await dynamo().createFriendGraphTable();
    // Long IDs (at the 256-byte bound) so that a few hundred of them need two parts.
    const friends = Array.from({ length: 850 }, (_, index) => `${String(index).padStart(4, '0')}${'x'.repeat(240)}`);
    const parts = eventsFor(importFriends('owner', friends), at(1));
    expect(parts.length).toBeGreaterThan(1);
    const results = await applyAll(table, parts);
    expect(results.reduce((sum, result) => sum + result.applied, 0)).toBe(2 * friends.length);
    const items = await dynamo().items(table);
    expect(items).toHaveLength(2 * friends.length);
    expect(items.every((item) => item.state === 'friends')).toBe(true);
  });
});

describe('repairs from the reconciler', () => {
  const repair = (detailType: 'FriendshipReconciled' | 'BlacklistReconciled', observedAt: string, detail: object) => {
    const event = {
      version: '0',
      id: `repair-${observedAt}`,
      'detail-type': detailType,
      source: 'openim',
      account: '000000000000',
      time: observedAt,
      region: 'us-east-1',
      resources: [],
      detail: {
        schemaVersion: 1,
        operationID: '',
        receivedAt: observedAt,
        observedAt,
        idempotencyKey: 'f'.repeat(64),
        ...detail,
      },
    };
    if (!isFriendEvent(event)) throw new Error('not a friend event');
    return event;
  };

  it('win over every callback received before the read, and lose to one received after it', async () => {
    const table = await dynamo().createFriendGraphTable();
    await applyAll(table, [
      ...eventsFor(agree('alice', 'bob'), at(1)),
      ...eventsFor(remark('alice', 'bob', 'old'), at(2)),
      // OpenIM, read at 5 s: alice deleted bob (the delete callback was lost), carol is blocked.
      repair('FriendshipReconciled', at(5), { ownerUserID: 'alice', friendUserID: 'bob', present: false, remark: '' }),
      repair('BlacklistReconciled', at(5), { ownerUserID: 'alice', blackUserID: 'carol', present: true }),
      repair('FriendshipReconciled', at(5), { ownerUserID: 'bob', friendUserID: 'alice', present: true, remark: 'Al' }),
      // A remark bob set after the read arrives late: it is newer than the repair, so it stays.
      ...eventsFor(remark('bob', 'alice', 'Alice'), at(6)),
      ...eventsFor(remark('alice', 'bob', 'before the read, delivered late'), at(4)),
    ]);
    expect(await graph(table)).toEqual([
      { pair: 'alice->bob', state: 'removed', remark: '', request: 'none' },
      { pair: 'alice->carol', blacklist: 'blocked' },
      { pair: 'bob->alice', state: 'friends', remark: 'Alice', request: 'none' },
    ]);
  });
});

describe('the deployed handler', () => {
  it('reads its table from the environment and updates the graph from an EventBridge event', async () => {
    const table = await dynamo().createFriendGraphTable();
    Object.assign(process.env, { FRIEND_GRAPH_TABLE_NAME: table, AWS_ENDPOINT_URL_DYNAMODB: dynamo().endpoint });
    try {
      const { handler } = await import('../../functions/handlers/friend-graph');
      const [event] = eventsFor(agree('alice', 'bob'), at(1), 'op-1');
      expect(await handler(event)).toEqual({ applied: 4, ignored: 0 });
      expect(await handler(event)).toEqual({ applied: 0, ignored: 4 });
      expect(await handler({ 'detail-type': 'SomethingElse', detail: {} })).toEqual({ applied: 0, ignored: 0 });
      expect(await graph(table)).toEqual([
        { pair: 'alice->bob', state: 'friends', request: 'none' },
        { pair: 'bob->alice', state: 'friends', request: 'none' },
      ]);

      // Test traffic is skipped unless FRIEND_GRAPH_INCLUDE_SYNTHETIC=true asks for it.
      const [synthetic] = eventsFor(agree('synthetic:1', 'synthetic:2'), at(2), 'smoke-1');
      if (!synthetic) throw new Error('no event');
      const marked = { ...synthetic, detail: { ...synthetic.detail, synthetic: true } };
      expect(await handler(marked)).toEqual({ applied: 0, ignored: 0, skipped: 'synthetic' });
      expect(await graph(table)).toHaveLength(2);
      const { createFriendGraphHandler } = await import('../../functions/handlers/friend-graph');
      const { FriendGraphTable } = await import('../../functions/adapters/aws/friend-graph-table');
      const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
      const { Logger } = await import('@aws-lambda-powertools/logger');
      const takingSynthetic = createFriendGraphHandler({
        store: new FriendGraphTable(new DynamoDBClient({}), table),
        includeSynthetic: true,
        logger: new Logger({ logLevel: 'SILENT' }),
      });
      expect(await takingSynthetic(marked)).toEqual({ applied: 4, ignored: 0 });
    } finally {
      delete process.env.FRIEND_GRAPH_TABLE_NAME;
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    }
  });
});

describe('a snapshot addressed to the graph (friend-graph), applied to DynamoDB', () => {
  const handlerFor = async (table: string) => {
    const { createFriendGraphHandler } = await import('../../functions/handlers/friend-graph');
    const { Logger } = await import('@aws-lambda-powertools/logger');
    return createFriendGraphHandler({
      store: new FriendGraphTable(dynamo().client, table),
      includeSynthetic: false,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
  };
  const lists = new Map([
    [
      'alice',
      {
        friends: [
          { userID: 'bob', remark: 'Bob' },
          { userID: 'dave', remark: '' },
          { userID: 'frank', remark: 'F' },
        ],
        blacks: ['erin'],
      },
    ],
    ['bob', { friends: [{ userID: 'alice', remark: '' }], blacks: [] }],
  ]);
  const address = { id: 'run-1', for: 'friend-graph' };

  it('rebuilds a restored table: parts in any order, each alone, a live change after the read kept', async () => {
    const table = await dynamo().createFriendGraphTable();
    // The restored table: older rows, one of them (alice->carol) gone from OpenIM since.
    await applyAll(table, [
      ...eventsFor(agree('alice', 'carol'), at(1)),
      ...eventsFor(remark('alice', 'bob', 'old'), at(2)),
    ]);
    const { parts, completed } = snapshotEvents(lists, {
      address,
      observedAt: at(10),
      completedAt: at(12),
      rowsPerPart: 1,
    });
    expect(parts.filter((part) => part.detail.ownerUserID === 'alice').map((part) => part.detail.covers)).toEqual([
      { from: '', to: 'dave' },
      { from: 'dave', to: 'erin' },
      { from: 'erin', to: 'frank' },
      { from: 'frank' },
    ]);
    const handler = await handlerFor(table);
    const live = eventsFor(deleteFriend('alice', 'dave'), at(11));
    for (const event of [...parts.slice(0, 2).reverse(), ...live, ...parts.slice(2).reverse(), completed]) {
      await handler(event);
    }
    expect(await graph(table)).toEqual([
      { pair: 'alice->bob', state: 'friends', remark: 'Bob', blacklist: 'none' },
      { pair: 'alice->carol', state: 'removed', request: 'none', remark: '', blacklist: 'none' }, // not listed: no longer a friend
      { pair: 'alice->dave', state: 'removed', remark: '', blacklist: 'none' }, // the delete after the read wins
      { pair: 'alice->erin', state: 'removed', remark: '', blacklist: 'blocked' },
      { pair: 'alice->frank', state: 'friends', remark: 'F', blacklist: 'none' },
      { pair: 'bob->alice', state: 'friends', remark: '', blacklist: 'none' },
      { pair: 'carol->alice', state: 'friends', request: 'none' }, // carol's own list was not in this snapshot
    ]);
  });

  it("leaves alone another subscriber's snapshot, the completion, and a malformed part", async () => {
    const table = await dynamo().createFriendGraphTable();
    const handler = await handlerFor(table);
    const options = { observedAt: at(10), completedAt: at(12) };
    const theirs = snapshotEvents(lists, { ...options, address: { id: 'run-2', for: 'welcome' } });
    const ours = snapshotEvents(lists, { ...options, address });
    const [part] = ours.parts;
    if (!part) throw new Error('no part');
    const malformed = {
      ...part,
      detail: { ...part.detail, friends: [{ friendUserID: 'zz', remark: '' }], covers: { from: '', to: 'c' } },
    };
    expect(await handler(theirs.parts[0])).toEqual({
      applied: 0,
      ignored: 0,
      skipped: 'snapshot-for-another-subscriber',
    });
    expect(await handler(ours.completed)).toEqual({ applied: 0, ignored: 0, skipped: 'snapshot-completed' });
    expect(await handler(malformed)).toEqual({ applied: 0, ignored: 0, skipped: 'malformed-snapshot' });
    expect(await graph(table)).toEqual([]);
  });
});
