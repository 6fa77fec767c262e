import type { OwnerView } from '../../../functions/friend-graph/graph-view';
import { ownerView } from '../../../functions/friend-graph/graph-view';
import { reconcileUser as reconcileAny } from '../../../functions/reconcile/reconcile-user';
import { ModelDirectory } from '../../helpers/openim-port';

const graphOf = (views: Record<string, OwnerView> = {}) => ({
  ownerView: async (owner: string) => views[owner] ?? ownerView([]),
  ownersPage: async () => ({ owners: [] }),
});

/** A user OpenIM answered for consistently. */
const reconcileUser = async (...args: Parameters<typeof reconcileAny>) => {
  const outcome = await reconcileAny(...args);
  if (outcome.kind !== 'reconciled') throw new Error(`unreadable: ${outcome.reason}`);
  return outcome;
};

/** A clock that moves 1 s per reading, so each read has its own time. */
const tickingClock = (start = Date.UTC(2026, 10, 26, 3)) => {
  let now = start;
  return () => (now += 1000);
};

describe('reconcileUser', () => {
  it('reads a list that did not change in one changes call, plus the black list', async () => {
    const openIm = new ModelDirectory(['a', 'b']);
    openIm.apply({ action: 'import', owner: 'a', friends: ['b'] });
    const deps = { directory: openIm, graph: graphOf(), clock: tickingClock() };
    const first = await reconcileUser('a', undefined, 's1', deps);
    openIm.calls.clear();
    const second = await reconcileUser('a', first.mirror, 's2', deps);
    expect(Object.fromEntries(openIm.calls)).toEqual({ friendListChanges: 1, blackPage: 1 });
    // Each reconcileUser reads the clock twice (friends, blacks): the mirror is dated by its friend read.
    expect(second.mirror).toEqual({ ...first.mirror, sweepID: 's2', observedAt: first.mirror.observedAt + 2000 });
  });

  it('sees a remark changed without a callback (update_friends) through the version log', async () => {
    const openIm = new ModelDirectory(['a', 'b']);
    openIm.apply({ action: 'import', owner: 'a', friends: ['b'] });
    const deps = {
      directory: openIm,
      graph: graphOf({ a: ownerView([{ otherUserID: 'b', state: 'friends' }]) }),
      clock: tickingClock(),
    };
    const first = await reconcileUser('a', undefined, 's1', deps);
    expect(first.differences).toEqual([]);
    openIm.apply({ action: 'update', owner: 'a', friend: 'b', remark: 'Bee' });
    openIm.calls.clear();
    const second = await reconcileUser('a', first.mirror, 's2', deps);
    expect(second.differences).toEqual([{ kind: 'remarkChanged', ownerUserID: 'a', otherUserID: 'b', remark: 'Bee' }]);
    expect(Object.fromEntries(openIm.calls)).toEqual({ friendListChanges: 1, blackPage: 1 });
  });

  it('reads the whole list on a resync (201 changed IDs), proved by the version after the pages, and the next time only the changes', async () => {
    const friends = Array.from({ length: 202 }, (_, index) => `f${index}`);
    const openIm = new ModelDirectory(['a', ...friends]);
    openIm.apply({ action: 'import', owner: 'a', friends: ['f0'] });
    const deps = { directory: openIm, graph: graphOf(), clock: tickingClock() };
    const first = await reconcileUser('a', undefined, 's1', deps);
    openIm.apply({ action: 'import', owner: 'a', friends });
    openIm.calls.clear();
    const second = await reconcileUser('a', first.mirror, 's2', deps);
    expect(Object.fromEntries(openIm.calls)).toEqual({ friendListChanges: 2, friendPage: 1, blackPage: 1 });
    expect(second.mirror.friends).toHaveLength(202);
    openIm.calls.clear();
    await reconcileUser('a', second.mirror, 's3', deps);
    expect(Object.fromEntries(openIm.calls)).toEqual({ friendListChanges: 1, blackPage: 1 });
  });

  it('reads a user with no friends in one call too, once OpenIM has a version for them', async () => {
    const openIm = new ModelDirectory(['loner']);
    const deps = { directory: openIm, graph: graphOf(), clock: tickingClock() };
    const first = await reconcileUser('loner', undefined, 's1', deps);
    expect(Object.fromEntries(openIm.calls)).toEqual({ friendListChanges: 2, friendPage: 1, blackPage: 1 });
    openIm.calls.clear();
    await reconcileUser('loner', first.mirror, 's2', deps);
    expect(Object.fromEntries(openIm.calls)).toEqual({ friendListChanges: 1, blackPage: 1 });
  });

  it('reads a user OpenIM no longer lists whole, not by a version log it may not keep', async () => {
    const openIm = new ModelDirectory(['gone', 'pal']);
    openIm.apply({ action: 'import', owner: 'gone', friends: ['pal'] });
    const deps = { directory: openIm, graph: graphOf(), clock: tickingClock() };
    const first = await reconcileUser('gone', undefined, 's1', deps);
    openIm.apply({ action: 'removeUser', user: 'gone' });
    openIm.calls.clear();
    const orphan = await reconcileUser('gone', first.mirror, 's2', deps, true);
    expect(Object.fromEntries(openIm.calls)).toEqual({ friendPage: 1, blackPage: 1 });
    expect(orphan.mirror).toEqual({ friends: [], sweepID: 's2', observedAt: first.mirror.observedAt + 2000 });
  });

  it('dates each repair just before its list was read, and keys it by sweep, read time and content', async () => {
    const openIm = new ModelDirectory(['a', 'b', 'c']);
    openIm.apply({ action: 'import', owner: 'a', friends: ['b'] });
    openIm.apply({ action: 'block', owner: 'a', black: 'c' });
    const start = Date.UTC(2026, 10, 26, 3);
    const reconcile = (sweepID: string, clock: () => number) =>
      reconcileUser('a', undefined, sweepID, { directory: openIm, graph: graphOf(), clock });
    const clock = tickingClock(start);
    const { repairs } = await reconcile('sweep-1', clock);
    expect(repairs.map(({ detailType, detail }) => [detailType, detail.observedAt, detail.receivedAt])).toEqual([
      ['FriendshipReconciled', '2026-11-26T03:00:01.000Z', '2026-11-26T03:00:01.000Z'],
      ['BlacklistReconciled', '2026-11-26T03:00:02.000Z', '2026-11-26T03:00:02.000Z'],
    ]);
    const keys = (outcome: { repairs: typeof repairs }) =>
      outcome.repairs.map((repair) => repair.detail.idempotencyKey);
    // The same reads again (a chunk redone at the same times): the same keys.
    expect(keys(await reconcile('sweep-1', tickingClock(start)))).toEqual(keys({ repairs }));
    // The same facts read later by the same sweep, or at the same times by another: new keys.
    const later = keys(await reconcile('sweep-1', clock));
    const otherSweep = keys(await reconcile('sweep-2', tickingClock(start)));
    for (const key of [...later, ...otherSweep]) expect(keys({ repairs })).not.toContain(key);
    expect(keys({ repairs }).every((key) => /^[0-9a-f]{64}$/.test(key))).toBe(true);
  });
});
