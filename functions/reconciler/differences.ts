import type { OwnerView } from '../friend-graph/graph-view';
import type { FriendRow } from './openim-directory';

/**
 * How OpenIM's lists of one owner differ from the graph's view of that owner. Every difference
 * is one directed edge and becomes one repair event.
 */
export const DIFFERENCE_KINDS = [
  'friendAdded',
  'friendRemoved',
  'remarkChanged',
  'blacklistAdded',
  'blacklistRemoved',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export type Difference =
  | { kind: 'friendAdded' | 'remarkChanged'; ownerUserID: string; otherUserID: string; remark: string }
  | { kind: 'friendRemoved' | 'blacklistAdded' | 'blacklistRemoved'; ownerUserID: string; otherUserID: string };

/** What OpenIM holds for one owner. */
export interface OpenImLists {
  friends: readonly FriendRow[];
  blacks: readonly string[];
}

/**
 * Every difference, friends first. A pair the graph never knew as blocked needs no "not blocked"
 * repair: absent and `none` already agree with a black list that does not hold it.
 */
export const differences = (ownerUserID: string, openIm: OpenImLists, graph: OwnerView): Difference[] => {
  const found: Difference[] = [];
  const openImFriends = new Map(openIm.friends.map((row) => [row.userID, row.remark]));
  for (const [otherUserID, remark] of openImFriends) {
    const known = graph.friends.get(otherUserID);
    if (known === undefined) found.push({ kind: 'friendAdded', ownerUserID, otherUserID, remark });
    else if (known !== remark) found.push({ kind: 'remarkChanged', ownerUserID, otherUserID, remark });
  }
  for (const otherUserID of graph.friends.keys()) {
    if (!openImFriends.has(otherUserID)) found.push({ kind: 'friendRemoved', ownerUserID, otherUserID });
  }
  const blacks = new Set(openIm.blacks);
  for (const otherUserID of blacks) {
    if (!graph.blocked.has(otherUserID)) found.push({ kind: 'blacklistAdded', ownerUserID, otherUserID });
  }
  for (const otherUserID of graph.blocked) {
    if (!blacks.has(otherUserID)) found.push({ kind: 'blacklistRemoved', ownerUserID, otherUserID });
  }
  return found;
};

/** What a part of a sweep adds to the sweep's totals. */
export type SweepCounters = Record<
  DifferenceKind | 'usersChecked' | 'usersUnreadable' | 'eventsPublished' | 'apiErrors',
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
});

export const addCounters = (total: SweepCounters, more: Partial<SweepCounters>): SweepCounters => {
  const sum = { ...total };
  for (const [name, value] of Object.entries(more) as [keyof SweepCounters, number][]) sum[name] += value;
  return sum;
};

export const totalDifferences = (counters: SweepCounters): number =>
  DIFFERENCE_KINDS.reduce((sum, kind) => sum + counters[kind], 0);
