import { MAX_MESSAGE_BYTES } from '../../../functions/openim/callback-body';
import type { RepairDraft } from '../../../functions/reconcile/repairs';
import { runPart, type SweepPartDeps } from '../../../functions/reconcile/sweep-part';
import { eventsFor } from '../../helpers/callback-events';
import { ModelDirectory } from '../../helpers/openim-port';
import { deliveredRepair, InMemoryGraph, InMemoryMirrors, InMemorySweepRecords } from '../../helpers/reconciler-fakes';

/**
 * OpenIM sets no limit on a remark. Repairs carry one as callbacks do: its first 16 KiB, cut on a
 * character boundary and flagged, and compared on that cut value, so an unchanged long remark is
 * repaired once and never again.
 */
const T0 = Date.UTC(2026, 10, 26, 3);
const USERS = ['a', 'b', 'c', 'd', 'e', 'f'];
const REMARK_420_KB = 'é'.repeat(210_000); // 2-byte characters: a cut at an odd byte would split one
const REMARK_1_1_MB = '😀'.repeat(275_000); // 4-byte characters
const REMARK_BY_CALLBACK = 'x'.repeat(500_000);

it('repairs a 420 KB and a 1.1 MB remark once, as a flagged 16 KiB prefix, and the next sweep publishes nothing', async () => {
  const openIm = new ModelDirectory(USERS);
  const graph = new InMemoryGraph();
  const tell = (body: Record<string, unknown> | undefined) =>
    body ? graph.deliver(eventsFor(body, new Date(T0))) : Promise.resolve();
  for (const [owner, friend] of [
    ['a', 'b'],
    ['c', 'd'],
    ['e', 'f'],
  ] as const) {
    await tell(openIm.apply({ action: 'import', owner, friends: [friend] }));
  }
  // Set without a callback (update_friends), so only a sweep can tell subscribers.
  openIm.apply({ action: 'update', owner: 'a', friend: 'b', remark: REMARK_420_KB });
  openIm.apply({ action: 'update', owner: 'c', friend: 'd', remark: REMARK_1_1_MB });
  // Set with a callback, which carried its first 16 KiB: nothing to repair.
  await tell(openIm.apply({ action: 'remark', owner: 'e', friend: 'f', remark: REMARK_BY_CALLBACK }));

  const records = new InMemorySweepRecords();
  const mirrors = new InMemoryMirrors();
  const sweep = async (sweepID: string, at: number) => {
    const published: RepairDraft[] = [];
    const deps: SweepPartDeps = {
      directory: openIm,
      graph,
      mirrors,
      publish: async (repairs) => void published.push(...repairs),
      progress: records,
      clock: () => at,
      usersInFlight: 2,
      chunkSize: 3,
      deadline: Number.POSITIVE_INFINITY,
    };
    await records.start(sweepID, { startedAt: at, usersListed: USERS.length });
    await runPart({ kind: 'page', sweepID, pageNumber: 1, pageSize: USERS.length }, deps);
    await graph.deliver(published.map((repair, index) => deliveredRepair(repair, `${sweepID}-${index}`)));
    return published;
  };

  const first = await sweep('s1', T0 + 60_000);
  expect(first.map(({ detail }) => detail)).toEqual([
    expect.objectContaining({ ownerUserID: 'a', friendUserID: 'b', present: true, alteredFields: ['remark'] }),
    expect.objectContaining({ ownerUserID: 'c', friendUserID: 'd', present: true, alteredFields: ['remark'] }),
  ]);
  for (const [index, whole] of [REMARK_420_KB, REMARK_1_1_MB].entries()) {
    const detail = first[index]?.detail;
    const remark = detail && 'remark' in detail ? detail.remark : '';
    expect(Buffer.byteLength(remark, 'utf8')).toBe(MAX_MESSAGE_BYTES);
    expect(whole.startsWith(remark)).toBe(true);
  }
  expect(await sweep('s2', T0 + 120_000)).toEqual([]);
  // A sweep that reads the lists whole (no mirror to start from) finds nothing either.
  mirrors.mirrors.clear();
  expect(await sweep('s3', T0 + 180_000)).toEqual([]);
});
