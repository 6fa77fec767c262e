import { ownerView } from '../../../functions/friend-graph/graph-view';
import { MAX_MESSAGE_BYTES } from '../../../functions/openim/callback-body';
import { readPages } from '../../../functions/reconcile/list-read';
import { reconcileUser } from '../../../functions/reconcile/reconcile-user';
import type { RepairDraft } from '../../../functions/reconcile/repairs';
import { runPart } from '../../../functions/reconcile/sweep-part';
import { ModelDirectory } from '../../helpers/openim-port';
import { InMemoryGraph, InMemoryMirrors, InMemorySweepRecords } from '../../helpers/reconciler-fakes';

/**
 * Absence is proven, never inferred from a partial read: OpenIM's pages can move between two
 * reads, answer `null` with a total, or be capped by a proxy; none of it may become a removal.
 */
const NOW = Date.UTC(2026, 11, 6, 3);
const ids = (count: number) => Array.from({ length: count }, (_, at) => `f${at}`);

/** An owner `o` with `count` friends, all of them known to the graph. */
const world = (count: number) => {
  const friends = ids(count);
  const openIm = new ModelDirectory(['o', ...friends]);
  openIm.apply({ action: 'import', owner: 'o', friends });
  const view = ownerView(friends.map((otherUserID) => ({ otherUserID, state: 'friends' as const })));
  const graph = { ownerView: async () => view, ownersPage: async () => ({ owners: [] }) };
  return { openIm, deps: { directory: openIm, graph, clock: () => NOW } };
};

const removals = (repairs: RepairDraft[]) =>
  repairs.flatMap(({ detail }) => ('friendUserID' in detail && !detail.present ? [detail.friendUserID] : []));

describe('a whole friend list read', () => {
  it('gives no false removal when a friend is deleted between two pages of a 1,200-friend list', async () => {
    const { openIm, deps } = world(1_200);
    openIm.applyBetweenPages('o', 1, { action: 'delete', owner: 'o', friend: 'f3' });
    const outcome = await reconcileUser('o', undefined, 's1', deps);
    // The read that moved was read again; only the true removal is published, and the mirror
    // holds every row OpenIM has, at the version proved after the pages.
    expect(outcome.kind).toBe('reconciled');
    if (outcome.kind !== 'reconciled') return;
    expect(removals(outcome.repairs)).toEqual(['f3']);
    expect(outcome.mirror.friends).toHaveLength(1_199);
    const after = await openIm.friendListChanges('o', outcome.mirror.version);
    expect(after).toMatchObject({ kind: 'changes', removed: [], upserted: [] });
  });

  it('leaves a user unreadable, with no repair, when pages answer null rows with a total of 700', async () => {
    const { openIm, deps } = world(700);
    openIm.answerNullPages('o', 10);
    const outcome = await reconcileUser('o', undefined, 's1', deps);
    expect(outcome).toEqual({ kind: 'unreadable', userID: 'o', reason: expect.stringContaining('empty') });
  });

  it('follows a server that caps pages at 100 rows: 600 friends read exactly, no false removal', async () => {
    const { openIm, deps } = world(600);
    openIm.pageCap = 100;
    const outcome = await reconcileUser('o', undefined, 's1', deps);
    expect(outcome.kind).toBe('reconciled');
    if (outcome.kind !== 'reconciled') return;
    expect(outcome.repairs).toEqual([]);
    expect(outcome.mirror.friends.map((row) => row.userID)).toEqual(ids(600));
    expect(openIm.calls.get('friendPage')).toBe(6); // 500 asked, 100 served; then 100 at a time
  });

  it('still publishes a removal that a read aimed at the pair confirms', async () => {
    const { openIm, deps } = world(3);
    openIm.apply({ action: 'delete', owner: 'o', friend: 'f1' });
    const outcome = await reconcileUser('o', undefined, 's1', deps);
    expect(outcome.kind === 'reconciled' && removals(outcome.repairs)).toEqual(['f1']);
    expect(openIm.calls.get('designatedFriend')).toBe(1); // one call per removal
  });

  it('publishes no removal that a read aimed at the pair denies, and the user is unreadable now', async () => {
    const { openIm, deps } = world(3);
    // A list read that looks whole but misses f1 (a fork's bug, say): the targeted read finds it.
    const directory = Object.assign(Object.create(openIm) as ModelDirectory, {
      friendPage: async (owner: string, pageNumber: number, pageSize: number) => {
        const page = await openIm.friendPage(owner, pageNumber, pageSize);
        return { rows: page.rows.filter((row) => row.userID !== 'f1'), total: page.total - 1 };
      },
    });
    const outcome = await reconcileUser('o', undefined, 's1', { ...deps, directory });
    expect(outcome).toMatchObject({ kind: 'unreadable', userID: 'o' });
  });

  it('holds a 1 MB remark as callbacks carry it: a flagged 16 KiB prefix, equal on the next read', async () => {
    const { openIm, deps } = world(1);
    const remark = '好'.repeat(350_000); // about 1 MB of UTF-8
    openIm.apply({ action: 'update', owner: 'o', friend: 'f0', remark });
    const first = await reconcileUser('o', undefined, 's1', deps);
    if (first.kind !== 'reconciled') throw new Error('unreadable');
    const [row] = first.mirror.friends;
    expect(row?.remarkAltered).toBe(true);
    expect(Buffer.byteLength(row?.remark ?? '', 'utf8')).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(remark.startsWith(row?.remark ?? 'x')).toBe(true);
    // Read whole again (no mirror): the same cut value, so nothing differs from the first read.
    const again = await reconcileUser('o', undefined, 's2', deps);
    expect(again.kind === 'reconciled' && again.mirror.friends).toEqual(first.mirror.friends);
  });
});

describe('a black removal', () => {
  /** `o` blocked `b` as the graph knows it; OpenIM's list no longer holds it. */
  const unblocked = () => {
    const openIm = new ModelDirectory(['o', 'b']);
    const view = { friends: new Map<string, string>(), blocked: new Set(['b']), versions: new Map() };
    const graph = { ownerView: async () => view, ownersPage: async () => ({ owners: [] }) };
    return { openIm, deps: { directory: openIm, graph, clock: () => NOW } };
  };

  it('is confirmed by get_specified_blacks where the server has it (v3.8.1+)', async () => {
    const { openIm, deps } = unblocked();
    const outcome = await reconcileUser('o', undefined, 's1', deps);
    expect(outcome.kind === 'reconciled' && outcome.differences.map((difference) => difference.kind)).toEqual([
      'blacklistRemoved',
    ]);
    expect(openIm.calls.get('specifiedBlack')).toBe(1);
    expect(openIm.calls.get('blackPage')).toBe(1);
  });

  it('is confirmed by a second whole read of the black list on a server without one (v3.7, v3.8.0)', async () => {
    const { openIm, deps } = unblocked();
    openIm.targetedBlackRead = false;
    const outcome = await reconcileUser('o', undefined, 's1', deps);
    expect(outcome.kind).toBe('reconciled');
    expect(openIm.calls.get('blackPage')).toBe(2);
  });

  it('is not published when the targeted read finds the entry the pages missed', async () => {
    const { openIm, deps } = unblocked();
    openIm.apply({ action: 'block', owner: 'o', black: 'b' });
    const directory = Object.assign(Object.create(openIm) as ModelDirectory, {
      blackPage: async () => ({ rows: [], total: 0 }), // a list read that looks whole but is not
    });
    const outcome = await reconcileUser('o', undefined, 's1', { ...deps, directory });
    expect(outcome).toMatchObject({ kind: 'unreadable', reason: 'a black entry the pages missed' });
  });
});

describe('readPages', () => {
  const pages = (all: string[], cap: number, totalOf: (page: number) => number = () => all.length) => {
    const asked: [number, number][] = [];
    const pageOf = async (pageNumber: number, pageSize: number) => {
      asked.push([pageNumber, pageSize]);
      const size = Math.min(pageSize, cap);
      return { rows: all.slice((pageNumber - 1) * size, pageNumber * size), total: totalOf(pageNumber) };
    };
    return { asked, pageOf };
  };

  it('reads an empty list (null, total 0) in one call, and a short last page as the end when total says so', async () => {
    await expect(readPages(pages([], 500).pageOf, (id) => id)).resolves.toEqual({ kind: 'read', rows: [] });
    const list = pages(ids(7), 500);
    await expect(readPages(list.pageOf, (id) => id, 3)).resolves.toEqual({ kind: 'read', rows: ids(7) });
    expect(list.asked).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('refuses pages whose totals disagree, more rows than the total, or a row served twice', async () => {
    const moving = pages(ids(7), 500, (page) => (page === 1 ? 7 : 6));
    await expect(readPages(moving.pageOf, (id) => id, 3)).resolves.toMatchObject({ kind: 'unreadable' });
    await expect(readPages(pages(ids(7), 500, () => 5).pageOf, (id) => id)).resolves.toMatchObject({
      kind: 'unreadable',
    });
    const twice = async () => ({ rows: ['a', 'a'], total: 2 });
    await expect(readPages(twice, (id) => id)).resolves.toEqual({
      kind: 'unreadable',
      reason: 'a row was served twice',
    });
  });
});

describe('a part of a sweep', () => {
  it('counts an unreadable user, keeps their mirror, and goes on with everyone else', async () => {
    const openIm = new ModelDirectory(['a', 'b', 'c']);
    openIm.apply({ action: 'import', owner: 'a', friends: ['b', 'c'] });
    openIm.answerNullPages('b', 10); // b's lists never come whole
    const records = new InMemorySweepRecords();
    const mirrors = new InMemoryMirrors();
    const published: RepairDraft[] = [];
    await records.start('s1', { startedAt: NOW, usersListed: 3 });
    const part = { kind: 'page', sweepID: 's1', pageNumber: 1, pageSize: 3 } as const;
    const deps = {
      directory: openIm,
      graph: new InMemoryGraph(),
      mirrors,
      publish: async (repairs: RepairDraft[]) => void published.push(...repairs),
      progress: records,
      clock: () => NOW,
      usersInFlight: 2,
      chunkSize: 3,
      deadline: Number.POSITIVE_INFINITY,
    };
    expect(await runPart(part, deps)).toEqual({ done: true });
    expect(records.sweeps.get('s1')?.counters).toMatchObject({ usersChecked: 2, usersUnreadable: 1 });
    expect(published.map((repair) => repair.detail.ownerUserID).sort()).toEqual(['a', 'a', 'c']);
    expect([...(await mirrors.load(['a', 'b', 'c'])).keys()].sort()).toEqual(['a', 'c']);
  });
});
