import { DIFFERENCE_KINDS, type DifferenceKind } from '../contract/deployment';
import type { OwnerView, PairVersions } from '../friend-graph/graph-view';
import { MAX_MESSAGE_BYTES } from '../openim/callback-body';
import { truncateText } from '../openim/safe-text';
import type { FriendRow } from './openim-directory';

/**
 * How OpenIM's lists of one owner differ from the graph's view of that owner. Every difference
 * is one directed edge and becomes one repair event.
 */
export type Difference =
  | {
      kind: 'friendAdded' | 'remarkChanged';
      ownerUserID: string;
      otherUserID: string;
      /** As callbacks carry it: at most `MAX_MESSAGE_BYTES`, cut on a character boundary. */
      remark: string;
      /** Present when OpenIM's remark was longer and `remark` holds its first part only. */
      remarkAltered?: true;
    }
  | { kind: 'friendRemoved' | 'blacklistAdded' | 'blacklistRemoved'; ownerUserID: string; otherUserID: string };

/** What OpenIM holds for one owner. */
export interface OpenImLists {
  friends: readonly FriendRow[];
  blacks: readonly string[];
}

/** When each of OpenIM's lists was read (taken just before the read started): a repair's `observedAt`. */
export interface ReadTimes {
  friendsReadAt: Date;
  blacksReadAt: Date;
}

/** The read a difference comes from, and so the time its repair states. */
export const observedAtOf = (difference: Difference, readTimes: ReadTimes): Date =>
  difference.kind === 'blacklistAdded' || difference.kind === 'blacklistRemoved'
    ? readTimes.blacksReadAt
    : readTimes.friendsReadAt;

export interface Comparison {
  /** To repair. */
  found: Difference[];
  /**
   * Differences the graph learned of after the read: a register the repair would set holds a
   * change received after `observedAt`, so OpenIM's list may be the stale side. Not published and
   * not drift; the next sweep, reading after that change, decides.
   */
  deferred: Difference[];
}

/** The remark as repairs and the graph hold it (idempotent: a cut remark stays as it is). */
const remarkAsCarried = (row: FriendRow): { remark: string; remarkAltered?: true } => {
  const { value, altered } = truncateText(row.remark, MAX_MESSAGE_BYTES);
  return { remark: value, ...(altered || row.remarkAltered ? { remarkAltered: true as const } : {}) };
};

/**
 * Every difference, friends first, each either found or deferred (see `Comparison`). A pair the
 * graph never knew as blocked needs no "not blocked" repair: absent and `none` already agree with
 * a black list that does not hold it. Remarks are compared as carried, so an unchanged long remark
 * equals the 16 KiB the graph holds and is never repaired again.
 */
export const differences = (
  ownerUserID: string,
  openIm: OpenImLists,
  graph: OwnerView,
  readTimes: ReadTimes,
): Comparison => {
  const all: Difference[] = [];
  const openImFriends = new Map(openIm.friends.map((row) => [row.userID, remarkAsCarried(row)]));
  for (const [otherUserID, carried] of openImFriends) {
    const known = graph.friends.get(otherUserID);
    if (known === undefined) all.push({ kind: 'friendAdded', ownerUserID, otherUserID, ...carried });
    else if (known !== carried.remark) all.push({ kind: 'remarkChanged', ownerUserID, otherUserID, ...carried });
  }
  for (const otherUserID of graph.friends.keys()) {
    if (!openImFriends.has(otherUserID)) all.push({ kind: 'friendRemoved', ownerUserID, otherUserID });
  }
  const blacks = new Set(openIm.blacks);
  for (const otherUserID of blacks) {
    if (!graph.blocked.has(otherUserID)) all.push({ kind: 'blacklistAdded', ownerUserID, otherUserID });
  }
  for (const otherUserID of graph.blocked) {
    if (!blacks.has(otherUserID)) all.push({ kind: 'blacklistRemoved', ownerUserID, otherUserID });
  }
  const comparison: Comparison = { found: [], deferred: [] };
  for (const difference of all) {
    const versions = graph.versions.get(difference.otherUserID) ?? {};
    const newer = registersSetBy(difference).some((register) =>
      isAfter(versions[register], observedAtOf(difference, readTimes)),
    );
    (newer ? comparison.deferred : comparison.found).push(difference);
  }
  return comparison;
};

/** The graph registers a difference's repair sets (`friend-graph.ts` `reconciledChanges`). */
const registersSetBy = (difference: Difference): (keyof PairVersions)[] =>
  difference.kind === 'blacklistAdded' || difference.kind === 'blacklistRemoved' ? ['blacklist'] : ['state', 'remark'];

/**
 * Whether a register version (`<receivedAt ISO>#<idempotencyKey>`) was received strictly after
 * `time`. Within the read's own millisecond the order is unknown either way: the change is taken
 * as seen by the read, and the graph's last-writer-wins orders the two by key.
 */
const isAfter = (version: string | undefined, time: Date): boolean =>
  version !== undefined && Date.parse(version.split('#', 1)[0] ?? '') > time.getTime();

/** What a part of a sweep adds to the sweep's totals. */
export type SweepCounters = Record<
  DifferenceKind | 'usersChecked' | 'usersUnreadable' | 'eventsPublished' | 'apiErrors' | 'deferredNewer',
  number
>;

export const zeroCounters = (): SweepCounters => ({
  usersChecked: 0,
  /** Users whose lists OpenIM did not answer consistently (no repair for them; tried next sweep). */
  usersUnreadable: 0,
  friendAdded: 0,
  friendRemoved: 0,
  remarkChanged: 0,
  blacklistAdded: 0,
  blacklistRemoved: 0,
  eventsPublished: 0,
  apiErrors: 0,
  /** Differences not published because the graph changed after the read (`Comparison.deferred`): not drift. */
  deferredNewer: 0,
});

export const addCounters = (total: SweepCounters, more: Partial<SweepCounters>): SweepCounters => {
  const sum = { ...total };
  for (const [name, value] of Object.entries(more) as [keyof SweepCounters, number][]) sum[name] += value;
  return sum;
};

export const totalDifferences = (counters: SweepCounters): number =>
  DIFFERENCE_KINDS.reduce((sum, kind) => sum + counters[kind], 0);
