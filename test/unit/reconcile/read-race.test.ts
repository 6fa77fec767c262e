import { totalDifferences } from '../../../functions/reconcile/differences';
import type { GraphReader } from '../../../functions/reconcile/ports';
import type { RepairDraft } from '../../../functions/reconcile/repairs';
import { runPart } from '../../../functions/reconcile/sweep-part';
import { eventsFor } from '../../helpers/callback-events';
import { ModelDirectory } from '../../helpers/openim-port';
import { InMemoryGraph, InMemoryMirrors, InMemorySweepRecords } from '../../helpers/reconciler-fakes';

/**
 * The reconciler reads OpenIM, then the graph. A callback applied to the graph in between is
 * newer than what OpenIM's list said: a repair from that list would contradict OpenIM now, be sent
 * to every subscriber and be counted as drift. The next sweep decides instead.
 */
const T0 = Date.UTC(2026, 10, 26, 3);

/** A clock that moves 1 s per reading, so each read has its own time. */
const tickingClock = () => {
  let now = T0;
  return () => (now += 1000);
};

const setUp = async () => {
  const openIm = new ModelDirectory(['a', 'b', 'c']);
  const graph = new InMemoryGraph();
  const clock = tickingClock();
  const tell = (body: Record<string, unknown> | undefined) =>
    body ? graph.deliver(eventsFor(body, new Date(clock()))) : Promise.resolve();
  await tell(openIm.apply({ action: 'import', owner: 'a', friends: ['b'] }));
  openIm.apply({ action: 'block', owner: 'a', black: 'c' });
  const records = new InMemorySweepRecords();
  const published: RepairDraft[] = [];
  return { openIm, graph, clock, tell, records, published };
};

it('publishes no repair that a callback applied between the OpenIM read and the graph read contradicts, and counts it apart from drift', async () => {
  const { openIm, graph, clock, tell, records, published } = await setUp();
  // The graph was told of the block by an earlier sweep (no callback reports one).
  await graph.apply({
    ownerUserID: 'a',
    otherUserID: 'c',
    register: 'blacklist',
    value: 'blocked',
    version: `${new Date(clock()).toISOString()}#earlier-repair`,
  });
  // OpenIM's lists are read (a lists b, a blocks c); then a deletes b and unblocks c, and both
  // callbacks reach the graph before the reconciler reads it.
  const racing: GraphReader = {
    ownerView: async (owner) => {
      if (owner === 'a') {
        await tell(openIm.apply({ action: 'delete', owner: 'a', friend: 'b' }));
        await tell(openIm.apply({ action: 'unblock', owner: 'a', black: 'c' }));
      }
      return graph.ownerView(owner);
    },
    ownersPage: (segment, total, cursor) => graph.ownersPage(segment, total, cursor),
  };
  await records.start('s1', { startedAt: T0, usersListed: 1 });
  await runPart(
    { kind: 'page', sweepID: 's1', pageNumber: 1, pageSize: 1 },
    {
      directory: openIm,
      graph: racing,
      mirrors: new InMemoryMirrors(),
      publish: async (repairs) => void published.push(...repairs),
      progress: records,
      clock,
      usersInFlight: 1,
      chunkSize: 1,
      deadline: Number.POSITIVE_INFINITY,
    },
  );
  expect(published).toEqual([]);
  const counters = records.sweeps.get('s1')?.counters;
  expect(counters && totalDifferences(counters)).toBe(0);
  expect(counters?.deferredNewer).toBe(2);
});
