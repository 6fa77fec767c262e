import { OpenImReadError } from '../../../functions/reconcile/openim-directory';
import type { RepairDraft } from '../../../functions/reconcile/repairs';
import { PART_DONE, runPart, type SweepPartDeps } from '../../../functions/reconcile/sweep-part';
import { ModelDirectory } from '../../helpers/openim-port';
import { InMemoryGraph, InMemoryMirrors, InMemorySweepRecords } from '../../helpers/reconciler-fakes';

const NOW = Date.UTC(2026, 10, 26, 3);

/** Eight users, each friends with the next one; nothing of it told to the graph. */
const setUp = (overrides: Partial<SweepPartDeps> = {}) => {
  const users = Array.from({ length: 8 }, (_, index) => `u${index}`);
  const openIm = new ModelDirectory(users);
  for (let index = 0; index < 7; index++)
    openIm.apply({ action: 'import', owner: `u${index}`, friends: [`u${index + 1}`] });
  const records = new InMemorySweepRecords();
  const published: RepairDraft[] = [];
  const deps: SweepPartDeps = {
    directory: openIm,
    graph: new InMemoryGraph(),
    mirrors: new InMemoryMirrors(),
    publish: async (repairs) => void published.push(...repairs),
    progress: records,
    clock: () => NOW,
    usersInFlight: 2,
    chunkSize: 3,
    deadline: Number.POSITIVE_INFINITY,
    ...overrides,
  };
  return { openIm, records, published, deps };
};

const page = { kind: 'page', sweepID: 's1', pageNumber: 1, pageSize: 8 } as const;

describe('a page of users', () => {
  it('checkpoints every chunk with its counters, and ends done', async () => {
    const { records, published, deps } = setUp();
    await records.start('s1', { startedAt: NOW, usersListed: 8 });
    expect(await runPart(page, deps)).toEqual({ done: true });
    expect(records.parts.get('s1/page#1')).toBe(PART_DONE);
    // 7 friendships, two directed edges each.
    expect(published).toHaveLength(14);
    expect(records.sweeps.get('s1')?.counters).toMatchObject({ usersChecked: 8, friendAdded: 14, eventsPublished: 14 });
  });

  it('stops at the deadline between chunks and goes on from its checkpoint when invoked again', async () => {
    let now = NOW;
    const { records, deps, openIm } = setUp({ clock: () => now, deadline: NOW + 1 });
    await records.start('s1', { startedAt: NOW, usersListed: 8 });
    const slowPublish = async () => {
      now += 10;
    };
    const first = await runPart(page, { ...deps, publish: slowPublish });
    expect(first).toEqual({ done: false });
    expect(records.parts.get('s1/page#1')).toBe('3');
    openIm.calls.clear();
    expect(await runPart(page, { ...deps, deadline: Number.POSITIVE_INFINITY })).toEqual({ done: true });
    // The rest only, and the page read again: 5 users never read, so a resync each (the version,
    // the friend page, the version again to prove it) and a black page.
    expect(Object.fromEntries(openIm.calls)).toEqual({
      userPage: 1,
      friendListChanges: 10,
      friendPage: 5,
      blackPage: 5,
    });
    expect(records.sweeps.get('s1')?.counters.usersChecked).toBe(8);
  });

  it('after a crash between publishing and saving the mirrors, the retry publishes the same keys and counts them once', async () => {
    const { records, published, deps } = setUp();
    await records.start('s1', { startedAt: NOW, usersListed: 8 });
    const mirrors = new InMemoryMirrors();
    let crashes = 1;
    const crashing = {
      load: mirrors.load.bind(mirrors),
      save: async (saved: Parameters<InMemoryMirrors['save']>[0]) => {
        if (saved.has('u4') && crashes-- > 0) throw new Error('Lambda timed out');
        return mirrors.save(saved);
      },
    };
    await expect(runPart(page, { ...deps, mirrors: crashing })).rejects.toThrow('Lambda timed out');
    const publishedBeforeRetry = published.length;
    expect(await runPart(page, { ...deps, mirrors: crashing })).toEqual({ done: true });
    const keys = published.map((repair) => repair.detail.idempotencyKey);
    expect(publishedBeforeRetry).toBe(11); // chunks 1 and 2 (u0..u5): 5 + 6
    expect(keys).toHaveLength(11 + 6 + 3); // chunk 2 again, then chunk 3
    expect(new Set(keys).size).toBe(14);
    expect(records.sweeps.get('s1')?.counters).toMatchObject({ usersChecked: 8, eventsPublished: 14 });
  });

  it('lets an OpenIM error through, with no checkpoint past the users it did not finish', async () => {
    const { records, deps, openIm } = setUp();
    const failing = Object.assign(Object.create(openIm), {
      blackPage: async (userID: string, pageNumber: number, pageSize: number) => {
        if (userID === 'u4')
          throw new OpenImReadError('get_black_list: 1500', { endpoint: '/friend/get_black_list', retryable: true });
        return openIm.blackPage(userID, pageNumber, pageSize);
      },
    });
    await expect(runPart(page, { ...deps, directory: failing })).rejects.toThrow(OpenImReadError);
    expect(records.parts.get('s1/page#1')).toBe('3');
  });
});

describe('the orphans phase', () => {
  it('reads graph owners this sweep did not cover, such as a user OpenIM no longer has, and repairs their edges as absent', async () => {
    const { records, published, deps, openIm } = setUp();
    const graph = deps.graph as InMemoryGraph;
    await records.start('s1', { startedAt: NOW, usersListed: 8 });
    await runPart(page, deps);
    // The graph learns every repair; then u7 vanishes from OpenIM, and with it u6's row naming u7.
    const { deliveredRepair } = await import('../../helpers/reconciler-fakes');
    await graph.deliver(published.map((repair, index) => deliveredRepair(repair, `r${index}`)));
    openIm.apply({ action: 'removeUser', user: 'u7' });
    published.length = 0;

    const s2 = { ...deps, progress: records, clock: () => NOW + 60_000 }; // a later sweep reads later
    await records.start('s2', { startedAt: NOW + 1, usersListed: 7 });
    await runPart({ kind: 'page', sweepID: 's2', pageNumber: 1, pageSize: 8 }, s2);
    // u7 is no longer on any page; u6's row to u7 is gone (a version-log delete, confirmed).
    expect(published.map(({ detail }) => detail)).toEqual([
      expect.objectContaining({ ownerUserID: 'u6', friendUserID: 'u7', present: false }),
    ]);
    published.length = 0;
    openIm.calls.clear();
    for (const segment of [0, 1]) {
      expect(await runPart({ kind: 'orphans', sweepID: 's2', segment, totalSegments: 2 }, s2)).toEqual({ done: true });
    }
    expect(published.map(({ detail }) => detail)).toEqual([
      expect.objectContaining({ ownerUserID: 'u7', friendUserID: 'u6', present: false, remark: '' }),
    ]);
    // Only the orphan was read, its lists whole (a vanished user's version log means nothing), and
    // its removal confirmed by a read aimed at the pair; the owners already covered by the pages
    // cost no OpenIM call.
    expect(Object.fromEntries(openIm.calls)).toEqual({ friendPage: 1, blackPage: 1, designatedFriend: 1 });
  });
});
