import { reconcileUser } from '../../../functions/reconcile/reconcile-user';
import { type OpenImStandIn, startOpenImStandIn } from '../../../infra/local/openim-api/stand-in';
import { directoryFor, rawCall } from '../../helpers/openim-stand-in';

/**
 * The stand-in plays the faults of OpenIM's paged lists through its control endpoint (a delete
 * between pages, a page of `null` rows with its total, a 100-row cap), and the reconciler's read
 * over the real admin client publishes no removal OpenIM does not confirm.
 */
const ids = (count: number) => Array.from({ length: count }, (_, at) => `f${at}`);
const NOW = Date.UTC(2026, 11, 6, 3);

let standIn: OpenImStandIn;
beforeEach(async () => {
  const friends = ids(1_200);
  standIn = await startOpenImStandIn({
    seed: { users: ['o', ...friends], friendships: friends.map((id) => ['o', id] as [string, string]) },
  });
});
afterEach(() => standIn.close());

/** `o` as the graph knows it: every one of its 1,200 friends. */
const graph = {
  ownerView: async () => ({
    friends: new Map(ids(1_200).map((id) => [id, ''])),
    blocked: new Set<string>(),
    versions: new Map(),
  }),
  ownersPage: async () => ({ owners: [] }),
};
const removals = (outcome: Awaited<ReturnType<typeof reconcileUser>>) =>
  outcome.kind === 'reconciled'
    ? outcome.repairs.flatMap(({ detail }) =>
        'friendUserID' in detail && !detail.present ? [detail.friendUserID] : [],
      )
    : outcome.kind;

const fault = async (body: object) => {
  const reply = await rawCall(standIn, '/_standin/list_faults', body);
  expect(reply.status).toBe(200);
};

it('a delete between two pages of 1,200 friends: only the true removal', async () => {
  await fault({ ownerUserID: 'o', deleteFriendUserID: 'f3', afterPage: 1 });
  const { directory } = directoryFor(standIn);
  await expect(
    reconcileUser('o', undefined, 's1', { directory, graph, clock: () => NOW }).then(removals),
  ).resolves.toEqual(['f3']);
});

it('a page of null rows with its total: the user is unreadable, no removal', async () => {
  await fault({ ownerUserID: 'o', nullPages: 10 });
  const { directory } = directoryFor(standIn);
  await expect(
    reconcileUser('o', undefined, 's1', { directory, graph, clock: () => NOW }).then(removals),
  ).resolves.toBe('unreadable');
});

it('pages capped at 100 rows: the list read exactly by following the cap, no removal', async () => {
  await fault({ ownerUserID: 'o', capRows: 100 });
  const { directory, trail } = directoryFor(standIn);
  await expect(
    reconcileUser('o', undefined, 's1', { directory, graph, clock: () => NOW }).then(removals),
  ).resolves.toEqual([]);
  expect(trail().filter((endpoint) => endpoint === '/friend/get_friend_list')).toHaveLength(12);
});

it('refuses a list fault it cannot read, naming what to give', async () => {
  const reply = await rawCall(standIn, '/_standin/list_faults', { ownerUserID: 'o' });
  expect(reply.status).toBe(400);
  expect(reply.text).toContain('capRows');
});
