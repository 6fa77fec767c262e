import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ADMIN_SECRET_PLACEHOLDER } from '../../functions/adapters/aws/admin-secret';
import { FriendGraphRows } from '../../functions/adapters/aws/friend-graph-rows';
import { FriendGraphTable } from '../../functions/adapters/aws/friend-graph-table';
import { FRIEND_GRAPH_SUBSCRIBER } from '../../functions/contract/deployment';
import {
  type FriendListSnapshotDetail,
  RECONCILED_DETAIL_TYPES,
  SNAPSHOT_DETAIL_TYPES,
} from '../../functions/contract/events';
import { changeVersion } from '../../functions/friend-graph/friend-graph';
import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { LOCAL_GRAPH_TABLE } from '../../infra/local/local-dynamodb';
import { LOCAL_BUS_NAME, startLocalAws } from '../../infra/local/local-environment';
import { LOCAL_ADMIN_SECRET_ID, startLocalReconciler } from '../../infra/local/local-reconciler';

/**
 * The reconciler as `npm start` runs it, in this process: the deployed state machine definition
 * on the local engine, the real handlers, the real OpenIM admin client against the OpenIM API
 * stand-in over a socket, DynamoDB (dynalite) and EventBridge through the loopback endpoint, the
 * friend graph fed by the local rule. Retries wait 0 ms here (the backoff is the definition's).
 */
const savedEnv = { ...process.env };
const dir = mkdtempSync(join(tmpdir(), 'local-reconciler-'));
const seedFile = join(dir, 'seed.json');
writeFileSync(
  seedFile,
  JSON.stringify({
    users: ['a', 'b', 'c', 'd', 'e'],
    friendships: [
      ['a', 'b'],
      ['c', 'd'],
    ],
    friends: [
      { ownerUserID: 'a', friendUserID: 'e', remark: 'E (one-sided)' },
      { ownerUserID: 'e', friendUserID: 'c' },
    ],
    blacks: [['b', 'e']],
  }),
);
let emulator: AwsEmulator;
let local: Awaited<ReturnType<typeof startLocalReconciler>>;
let sfn: SFNClient;

beforeAll(async () => {
  ({ emulator } = await startLocalAws({ token: 'local-test-token' }));
  local = await startLocalReconciler({
    emulator,
    eventBusName: LOCAL_BUS_NAME,
    eventSource: 'openim',
    callbackUrl: 'http://127.0.0.1:9/openim/nobody-listens',
    dynamoDbDir: undefined,
    openIm: {
      apiUrl: undefined,
      adminUserID: 'friendEventsReconciler',
      adminSecret: undefined,
      callsPerSecond: 1_000,
      standInPort: 0,
      standInHost: '127.0.0.1',
      seedFile,
    },
    concurrency: 2,
    retryDelayMs: 0,
    onFailedEvent: (detailType, error) => {
      throw new Error(`the graph could not apply ${detailType}: ${String(error)}`);
    },
  });
  sfn = new SFNClient({});
});
afterAll(async () => {
  await local.stop();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
  process.env = savedEnv;
});

/** Starts a sweep through the Step Functions API and waits for its end, as npm run reconcile does. */
const sweep = async (name: string, input: object = {}) => {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: local.stateMachineArn, name, input: JSON.stringify(input) }),
  );
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') {
      await local.rules.idle();
      return execution;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const repairs = () =>
  emulator.events
    .filter((event) => (RECONCILED_DETAIL_TYPES as readonly string[]).includes(event.detailType))
    .map(({ detailType, detail }) =>
      detailType === 'FriendshipReconciled'
        ? `${detail.ownerUserID}->${detail.friendUserID} ${detail.present ? `friend "${detail.remark}"` : 'gone'}`
        : `${detail.ownerUserID}->${detail.blackUserID} ${detail.present ? 'blocked' : 'unblocked'}`,
    )
    .sort();

const graphOf = async (userID: string) => {
  const view = await new FriendGraphRows(new DynamoDBClient({}), LOCAL_GRAPH_TABLE).ownerView(userID);
  return { friends: Object.fromEntries([...view.friends].sort()), blocked: [...view.blocked].sort() };
};

describe('the local reconciler', () => {
  it('repairs an empty graph from OpenIM in one sweep, and the next sweep publishes nothing', async () => {
    emulator.events.length = 0;
    const first = await sweep('sweep-1');
    expect(first.status).toBe('SUCCEEDED');
    expect(JSON.parse(first.output ?? '{}')).toMatchObject({
      status: 'completed',
      counters: { usersChecked: 7, friendAdded: 6, blacklistAdded: 1, eventsPublished: 7 },
    });
    expect(repairs()).toEqual([
      'a->b friend ""',
      'a->e friend "E (one-sided)"',
      'b->a friend ""',
      'b->e blocked',
      'c->d friend ""',
      'd->c friend ""',
      'e->c friend ""',
    ]);
    expect(await graphOf('a')).toEqual({ friends: { b: '', e: 'E (one-sided)' }, blocked: [] });
    expect(await graphOf('b')).toEqual({ friends: { a: '' }, blocked: ['e'] });
    expect(await graphOf('e')).toEqual({ friends: { c: '' }, blocked: [] });

    emulator.events.length = 0;
    const second = await sweep('sweep-2');
    expect(JSON.parse(second.output ?? '{}')).toMatchObject({ status: 'completed', counters: { eventsPublished: 0 } });
    expect(repairs()).toEqual([]);
  });

  it('sees changes OpenIM never calls back (a block, update_friends) and a user who vanished', async () => {
    const model = local.standIn?.model;
    if (!model) throw new Error('no stand-in');
    model.blackLists.add('a', 'c', '', 'imAdmin');
    model.updateFriends('c', ['d'], { remark: 'Dee' });
    model.deleteUser('e');
    emulator.events.length = 0;
    const execution = await sweep('sweep-3');
    expect(execution.status).toBe('SUCCEEDED');
    // The stand-in's user removal also takes e off a's friend list and b's black list; e itself is
    // on no page any more, so the orphans phase reads e's own lists (empty) for the e -> c row.
    expect(repairs()).toEqual(['a->c blocked', 'a->e gone', 'b->e unblocked', 'c->d friend "Dee"', 'e->c gone']);
    expect(await graphOf('c')).toEqual({ friends: { d: 'Dee' }, blocked: [] });
    expect(await graphOf('e')).toEqual({ friends: {}, blocked: [] });
  });

  it('retries a part while OpenIM fails, without redoing the sweep, and counts the failed requests', async () => {
    local.standIn?.faults.next('/friend/get_black_list', { status: 500 }, 6);
    emulator.events.length = 0;
    const execution = await sweep('sweep-4');
    expect(execution.status).toBe('SUCCEEDED');
    const summary = JSON.parse(execution.output ?? '{}') as { counters: { apiErrors: number; usersChecked: number } };
    expect(summary.counters.apiErrors).toBeGreaterThanOrEqual(6);
    expect(repairs()).toEqual([]);
  });

  it('fails a sweep OpenIM refuses (wrong secret) at once, saying so, and releases the lock', async () => {
    emulator.secrets.set(LOCAL_ADMIN_SECRET_ID, { current: 'not-the-secret' });
    // With its token still good the secret would not matter: kicked, the reconciler must log in again.
    local.standIn?.tokens.kick('friendEventsReconciler');
    try {
      const failed = await sweep('sweep-5');
      expect(failed).toMatchObject({ status: 'FAILED', error: 'OpenImRefused' });
      expect(failed.cause).toMatch(/1002|no permission|secret/i);
    } finally {
      emulator.secrets.set(LOCAL_ADMIN_SECRET_ID, { current: 'openIM123' });
    }
    expect((await sweep('sweep-6')).status).toBe('SUCCEEDED'); // the lock was released
  });

  it('fails a sweep whose admin secret was never set, with how to set it', async () => {
    emulator.secrets.set(LOCAL_ADMIN_SECRET_ID, { current: ADMIN_SECRET_PLACEHOLDER });
    local.standIn?.tokens.kick('friendEventsReconciler');
    try {
      const failed = await sweep('sweep-7');
      expect(failed).toMatchObject({ status: 'FAILED', error: 'AdminSecretNotSet' });
      expect(failed.cause).toMatch(/put-secret-value/);
    } finally {
      emulator.secrets.set(LOCAL_ADMIN_SECRET_ID, { current: 'openIM123' });
    }
  });

  it('never runs two sweeps at once: the second ends at once, naming the first', async () => {
    const [one, two] = await Promise.all([sweep('sweep-8'), sweep('sweep-9')]);
    const outputs = [one, two].map((execution) => JSON.parse(execution.output ?? '{}') as Record<string, unknown>);
    expect(outputs.filter((output) => output.status === 'completed')).toHaveLength(1);
    expect(outputs.filter((output) => output.locked === false)).toEqual([
      expect.objectContaining({ heldBy: expect.stringMatching(/^sweep-[89]$/) }),
    ]);
  });

  describe('a snapshot', () => {
    const snapshotEvents = () =>
      emulator.events.filter((event) => (SNAPSHOT_DETAIL_TYPES as readonly string[]).includes(event.detailType));

    it("sends every user's lists as OpenIM holds them, addressed to the subscriber, then the completion after every part", async () => {
      const model = local.standIn?.model;
      if (!model) throw new Error('no stand-in');
      emulator.events.length = 0;
      const execution = await sweep('snapshot-1', { snapshot: { for: 'mine' } });
      expect(execution.status).toBe('SUCCEEDED');
      const events = snapshotEvents();
      const last = events.at(-1);
      expect(last?.detailType).toBe('FriendSnapshotCompleted');
      expect(events.filter((event) => event.detailType === 'FriendSnapshotCompleted')).toHaveLength(1);
      const parts = events.slice(0, -1).map((event) => event.detail as unknown as FriendListSnapshotDetail);
      const users = model.userPage(1, 1_000).userIDs;
      expect(parts.map((part) => part.ownerUserID).sort()).toEqual([...users].sort());
      for (const part of parts) {
        expect(part.snapshot).toEqual({ id: 'snapshot-1', for: 'mine' });
        expect(part.friends.map((friend) => [friend.friendUserID, friend.remark])).toEqual(
          model
            .friendRows(part.ownerUserID)
            .map((row) => [row.friendUserID, row.remark])
            .sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : 1)),
        );
        expect(part.blackUserIDs).toEqual(
          model
            .userPage(1, 1_000)
            .userIDs.filter((other) => model.blackLists.has(part.ownerUserID, other))
            .sort(),
        );
      }
      expect(last?.detail).toMatchObject({
        snapshot: { id: 'snapshot-1', for: 'mine' },
        users: users.length,
        friendRows: parts.reduce((sum, part) => sum + part.friends.length, 0),
        blackRows: parts.reduce((sum, part) => sum + part.blackUserIDs.length, 0),
        unreadableUserIDs: [],
      });
      expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
        summary: { status: 'completed' },
        totals: { counters: { snapshotUsers: users.length } },
      });
    });

    it('rebuilds the friend graph when addressed to friend-graph, and leaves it alone when addressed to another', async () => {
      // A graph that went wrong (a restored table, say): a friend row OpenIM does not have, from long ago.
      await new FriendGraphTable(new DynamoDBClient({}), LOCAL_GRAPH_TABLE).apply({
        ownerUserID: 'a',
        otherUserID: 'd',
        version: changeVersion('2020-01-01T00:00:00.000Z', 'restored'),
        register: 'state',
        value: 'friends',
      });
      const before = await graphOf('a');
      expect(before.friends).toHaveProperty('d', '');
      await sweep('snapshot-for-another', { snapshot: { for: 'mine', users: ['a'] } });
      expect(await graphOf('a')).toEqual(before);
      const execution = await sweep('snapshot-for-the-graph', {
        snapshot: { for: FRIEND_GRAPH_SUBSCRIBER, users: ['a'] },
      });
      expect(execution.status).toBe('SUCCEEDED');
      // OpenIM's lists of a, as the earlier tests left them: the restored row is gone.
      const model = local.standIn?.model;
      if (!model) throw new Error('no stand-in');
      expect(await graphOf('a')).toEqual({
        friends: Object.fromEntries(
          model
            .friendRows('a')
            .map((row) => [row.friendUserID, row.remark])
            .sort(),
        ),
        blocked: model
          .userPage(1, 1_000)
          .userIDs.filter((other) => model.blackLists.has('a', other))
          .sort(),
      });
      expect((await graphOf('a')).friends).not.toHaveProperty('d');
    });

    it('limits itself to the users named', async () => {
      emulator.events.length = 0;
      await sweep('snapshot-2', { snapshot: { for: 'mine', users: ['b', 'e'] } });
      const owners = snapshotEvents().flatMap((event) =>
        event.detailType === 'FriendListSnapshot' ? [String(event.detail.ownerUserID)] : [],
      );
      expect(owners.sort()).toEqual(['b', 'e']);
      expect(snapshotEvents().at(-1)?.detail).toMatchObject({ users: 2 });
    });

    it('never runs beside a sweep: the one started second ends at once, naming the other', async () => {
      const [one, two] = await Promise.all([sweep('sweep-10'), sweep('snapshot-3', { snapshot: { for: 'mine' } })]);
      const outputs = [one, two].map((execution) => JSON.parse(execution.output ?? '{}') as Record<string, unknown>);
      expect(outputs.filter((output) => output.locked === false)).toHaveLength(1);
      expect(outputs.filter((output) => output.locked !== false)).toHaveLength(1);
    });

    it('fails a request that is not valid at once, saying why', async () => {
      const execution = await sweep('snapshot-4', { snapshot: { for: 'no spaces allowed' } });
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('SnapshotRequestInvalid');
      expect(execution.cause).toContain('snapshot.for must name the subscriber');
    });
  });
});
