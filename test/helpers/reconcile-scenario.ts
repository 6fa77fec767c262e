import fc from 'fast-check';
import type { FriendEvent } from '../../functions/contract/events';
import type { OwnerView } from '../../functions/friend-graph/graph-view';
import type { GraphReader, MirrorStore, SweepLock, SweepRecords, SweepSummary } from '../../functions/reconcile/ports';
import type { RepairDraft } from '../../functions/reconcile/repairs';
import { eventsFor } from './callback-events';
import { ModelDirectory, type OpenImAction } from './openim-port';
import { deliveredRepair } from './reconciler-fakes';
import { runSweep } from './sweep-runner';

/**
 * Random OpenIM histories whose callbacks are lost, duplicated, reordered and delayed, then
 * sweeps: the property behind "after changes stop, one sweep makes the graph equal OpenIM's
 * lists, and a second one publishes nothing". Used in memory (many runs) and against a real
 * local DynamoDB (fewer runs).
 */

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4'];
const user = fc.constantFrom(...USERS);
const pair = fc.tuple(user, user).filter(([a, b]) => a !== b);
const text = fc.constantFrom('', 'x', 'y', 'Bob (work)');

export const action: fc.Arbitrary<OpenImAction> = fc.oneof(
  { arbitrary: pair.map(([from, to]) => ({ action: 'request' as const, from, to })), weight: 3 },
  { arbitrary: pair.map(([applicant, accepter]) => ({ action: 'agree' as const, applicant, accepter })), weight: 3 },
  {
    arbitrary: fc
      .tuple(user, fc.uniqueArray(user, { minLength: 1, maxLength: 3 }))
      .map(([owner, friends]) => ({ action: 'import' as const, owner, friends })),
    weight: 3,
  },
  { arbitrary: pair.map(([owner, friend]) => ({ action: 'delete' as const, owner, friend })), weight: 2 },
  {
    arbitrary: fc
      .tuple(pair, text)
      .map(([[owner, friend], remark]) => ({ action: 'remark' as const, owner, friend, remark })),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(pair, fc.option(text, { nil: undefined }), fc.option(fc.boolean(), { nil: undefined }))
      .map(([[owner, friend], remark, pinned]) => ({ action: 'update' as const, owner, friend, remark, pinned })),
    weight: 2,
  },
  { arbitrary: pair.map(([owner, black]) => ({ action: 'block' as const, owner, black })), weight: 2 },
  { arbitrary: pair.map(([owner, black]) => ({ action: 'unblock' as const, owner, black })), weight: 1 },
  { arbitrary: user.map((gone) => ({ action: 'removeUser' as const, user: gone })), weight: 1 },
);

/** What happens to one callback on its way: lost, delivered once or twice, late by some seconds. */
const fate = fc.record({
  copies: fc.constantFrom(0, 1, 1, 1, 2),
  delaySeconds: fc.nat(50),
  /** Only for callbacks of the first phase: it arrives after the first sweep. */
  afterFirstSweep: fc.boolean(),
});

/**
 * How OpenIM's pages misbehave: during the first sweep, a page cap, one page of a user answered
 * `null` with its total, a delete between two pages of a user's read (its callback lost), and two
 * workers on each page of users; during the third, a user whose pages never come whole.
 */
const faults = fc.record({
  pageCap: fc.constantFrom(Number.POSITIVE_INFINITY, 1, 2),
  nullPageOf: fc.option(user, { nil: undefined }),
  deleteBetweenPages: fc.option(pair, { nil: undefined }),
  twoWorkersPerPage: fc.boolean(),
  unreadableInThirdSweep: fc.option(user, { nil: undefined }),
});

export const scenario = fc.record({
  before: fc.array(fc.tuple(action, fate), { maxLength: 30 }),
  after: fc.array(fc.tuple(action, fate), { maxLength: 30 }),
  seed: fc.integer(),
  pageSize: fc.integer({ min: 1, max: 4 }),
  faults,
});
export type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

export interface ScenarioStores {
  graph: GraphReader & {
    deliver(events: readonly FriendEvent[]): Promise<void>;
    views(): Promise<Map<string, OwnerView>>;
  };
  mirrors: MirrorStore;
  records: SweepRecords & SweepLock;
}

const SECOND = 1000;
const T0 = Date.UTC(2026, 10, 26);
const SWEEP_1 = T0 + 1000 * SECOND;
const SWEEP_2 = T0 + 5000 * SECOND;
const SWEEP_3 = T0 + 9000 * SECOND;

/** A deterministic shuffle, so that a failing run replays from its seed. */
const shuffled = <T>(items: T[], seed: number): T[] => {
  const copy = [...items];
  let state = seed >>> 0 || 1;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
};

type Views = Map<string, { friends: Map<string, string>; blocked: Set<string> }>;

export interface ScenarioResult {
  openIm: ModelDirectory;
  /** OpenIM's lists and the graph's views after the second sweep's repairs were applied. */
  expected: Views;
  actual: Views;
  /** The same after the first sweep, before its late callbacks arrived. */
  afterFirstSweep: { expected: Views; actual: Views };
  /** Repairs published by the third sweep, which saw no change in OpenIM. */
  thirdSweepRepairs: RepairDraft[];
  summaries: SweepSummary[];
}

/**
 * Phase one happens; its callbacks arrive (some late, after the first sweep); the first sweep;
 * phase two happens, its callbacks arrive; the second sweep; then a third with nothing new.
 */
export const runScenario = async (run: Scenario, stores: ScenarioStores): Promise<ScenarioResult> => {
  const openIm = new ModelDirectory(USERS);
  const deliveries = (steps: Scenario['before'], startAt: number, firstPhase: boolean) => {
    const onTime: FriendEvent[] = [];
    const late: FriendEvent[] = [];
    steps.forEach(([step, { copies, delaySeconds, afterFirstSweep }], index) => {
      const body = openIm.apply(step);
      if (body === undefined) return;
      const isLate = firstPhase && afterFirstSweep;
      const receivedAt = new Date((isLate ? SWEEP_1 + 60 * SECOND : startAt + index * SECOND) + delaySeconds * SECOND);
      const events = eventsFor(body, receivedAt, `op-${firstPhase ? 'a' : 'b'}-${index}`);
      for (let copy = 0; copy < copies; copy++) (isLate ? late : onTime).push(...events);
    });
    return { onTime: shuffled(onTime, run.seed), late: shuffled(late, run.seed + 1) };
  };

  const published: RepairDraft[][] = [];
  const sweep = async (sweepID: string, at: number, twoWorkersPerPage = false) => {
    const repairs: RepairDraft[] = [];
    published.push(repairs);
    const summary = await runSweep(sweepID, {
      directory: openIm,
      graph: stores.graph,
      mirrors: stores.mirrors,
      records: stores.records,
      lock: stores.records,
      publish: async (drafts) => void repairs.push(...drafts),
      clock: () => at,
      pageSize: run.pageSize,
      concurrency: 2,
      chunkSize: 2,
      twoWorkersPerPage,
    });
    if (!('status' in summary)) throw new Error(`sweep ${sweepID} found the lock held by ${summary.heldBy}`);
    // As EventBridge delivers: in any order (a repair may even arrive twice).
    await stores.graph.deliver(
      shuffled([...repairs, ...repairs.slice(0, 1)], run.seed + at).map((repair, index) =>
        deliveredRepair(repair, `r${index}`),
      ),
    );
    return summary;
  };

  const first = deliveries(run.before, T0 + SECOND, true);
  await stores.graph.deliver(first.onTime);
  const { pageCap, nullPageOf, deleteBetweenPages, twoWorkersPerPage, unreadableInThirdSweep } = run.faults;
  openIm.pageCap = pageCap;
  if (nullPageOf !== undefined) openIm.answerNullPages(nullPageOf, 1);
  if (deleteBetweenPages !== undefined) {
    const [owner, friend] = deleteBetweenPages;
    openIm.applyBetweenPages(owner, 1, { action: 'delete', owner, friend });
  }
  const summaries = [await sweep('sweep-1', SWEEP_1, twoWorkersPerPage)];
  openIm.clearFaults();
  const afterFirstSweep = { expected: truthOf(openIm), actual: await stores.graph.views() };
  await stores.graph.deliver(first.late);
  const second = deliveries(run.after, SWEEP_1 + 200 * SECOND, false);
  await stores.graph.deliver(second.onTime);
  summaries.push(await sweep('sweep-2', SWEEP_2));
  const actual = await stores.graph.views();
  if (unreadableInThirdSweep !== undefined) openIm.answerNullPages(unreadableInThirdSweep, 1_000);
  summaries.push(await sweep('sweep-3', SWEEP_3));

  return {
    openIm,
    expected: truthOf(openIm),
    actual,
    afterFirstSweep,
    thirdSweepRepairs: published[2] ?? [],
    summaries,
  };
};

const truthOf = (openIm: ModelDirectory): Views =>
  new Map(
    [...openIm.lists()].map(([owner, lists]) => [
      owner,
      { friends: new Map(lists.friends.map((row) => [row.userID, row.remark])), blocked: new Set(lists.blacks) },
    ]),
  );

/** Owners with nothing (no friend rows, no blocks) are left out, so absent and empty compare equal. */
export const nonEmpty = (views: Views) =>
  new Map(
    [...views]
      .filter(([, view]) => view.friends.size > 0 || view.blocked.size > 0)
      .map(
        ([owner, view]) =>
          [owner, { friends: new Map([...view.friends].sort()), blocked: new Set([...view.blocked].sort()) }] as const,
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
