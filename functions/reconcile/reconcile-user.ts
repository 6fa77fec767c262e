import { type Difference, differences, observedAtOf } from './differences';
import { applyChanges } from './friend-list';
import { heldRow, readBlackListWhole, readFriendListWhole } from './list-read';
import type { FriendListVersion, FriendRow, OpenImDirectory } from './openim-directory';
import type { Clock, GraphReader, UserMirror } from './ports';
import { type RepairDraft, repairFor } from './repairs';

export type UserOutcome =
  | {
      kind: 'reconciled';
      userID: string;
      differences: Difference[];
      /** Differences the graph learned of after the read: left to the next sweep. */
      deferred: number;
      repairs: RepairDraft[];
      /** To save once the repairs are on the bus. */
      mirror: UserMirror;
    }
  /** OpenIM's lists could not be read consistently now: no repair, the mirror kept, tried next sweep. */
  | { kind: 'unreadable'; userID: string; reason: string };

export interface ReconcileDeps {
  directory: OpenImDirectory;
  graph: GraphReader;
  clock: Clock;
}

/**
 * Reads one user's lists from OpenIM and compares them with the graph: usually two calls, the
 * friend list's changes since the mirror's version (remark and pin changes included) and the
 * black list's one page. Each repair states the time just before its list was read: a callback
 * received after that may carry a newer change, and wins. An absence is published only once a
 * read aimed at that pair confirmed it (one call per removal; removals are rare).
 */
export const reconcileUser = async (
  userID: string,
  mirror: UserMirror | undefined,
  sweepID: string,
  deps: ReconcileDeps,
  /** For a user OpenIM's pages did not list (vanished, or missed by a shifted page): no version log to trust. */
  readWhole = false,
): Promise<UserOutcome> => {
  const first = await reconcileOnce(userID, readWhole ? 'whole' : mirror, sweepID, deps);
  // A removal the mirror implied but OpenIM denies: the mirror is wrong, so read the list whole.
  if (first.kind === 'contradicted' && first.incremental)
    return finish(await reconcileOnce(userID, undefined, sweepID, deps));
  return finish(first);
};

type Attempt = UserOutcome | { kind: 'contradicted'; userID: string; incremental: boolean; reason: string };

const finish = (attempt: Attempt): UserOutcome =>
  attempt.kind === 'contradicted' ? { kind: 'unreadable', userID: attempt.userID, reason: attempt.reason } : attempt;

const reconcileOnce = async (
  userID: string,
  from: UserMirror | undefined | 'whole',
  sweepID: string,
  deps: ReconcileDeps,
): Promise<Attempt> => {
  const friendsReadAt = new Date(deps.clock());
  const list = await readFriendList(userID, from, deps.directory);
  if (list.kind === 'unreadable') return { kind: 'unreadable', userID, reason: list.reason };
  const blacksReadAt = new Date(deps.clock());
  const blacks = await readBlackListWhole(deps.directory, userID);
  if (blacks.kind === 'unreadable') return { kind: 'unreadable', userID, reason: blacks.reason };
  // The graph is read after OpenIM: a difference it learned of after the read is deferred.
  const view = await deps.graph.ownerView(userID);
  const readTimes = { friendsReadAt, blacksReadAt };
  const { found, deferred } = differences(userID, { friends: list.friends, blacks: blacks.rows }, view, readTimes);
  const denied = await deniedAbsence(userID, found, deps.directory);
  if (denied !== undefined) return { kind: 'contradicted', userID, incremental: list.incremental, reason: denied };
  const repairs = found.map((difference) => repairFor(difference, observedAtOf(difference, readTimes), sweepID));
  const mirror = {
    friends: list.friends,
    ...(list.version ? { version: list.version } : {}),
    sweepID,
    observedAt: friendsReadAt.getTime(),
  };
  return { kind: 'reconciled', userID, differences: found, deferred: deferred.length, repairs, mirror };
};

export type FriendList =
  | { kind: 'read'; friends: FriendRow[]; version?: FriendListVersion; incremental: boolean }
  | { kind: 'unreadable'; reason: string };

/**
 * The owner's friend list now: the mirror plus OpenIM's changes since its version, or the whole
 * list when OpenIM cannot say (a resync: no mirror yet, an unknown version ID, more than 200
 * changed IDs, a server without versions), proved at the version OpenIM gave before the pages.
 * The ID hash (`friendIDs`) is not used: equal IDs say nothing about remarks (docs/design.md).
 */
export const readFriendList = async (
  userID: string,
  from: UserMirror | undefined | 'whole',
  directory: OpenImDirectory,
): Promise<FriendList> => {
  if (from === 'whole') return wholeList(await readFriendListWhole(directory, userID, undefined));
  const changes = await directory.friendListChanges(userID, from?.version);
  if (changes.kind === 'changes' && from !== undefined) {
    const held = { ...changes, upserted: changes.upserted.map(heldRow) };
    return { kind: 'read', friends: applyChanges(from.friends, held), version: changes.current, incremental: true };
  }
  return wholeList(await readFriendListWhole(directory, userID, changes.current));
};

const wholeList = (read: Awaited<ReturnType<typeof readFriendListWhole>>): FriendList =>
  read.kind === 'unreadable'
    ? read
    : { kind: 'read', friends: read.rows, ...(read.version ? { version: read.version } : {}), incremental: false };

/**
 * Confirms each absence with a read aimed at the pair: get_designated_friends for a friend; for a
 * black, get_specified_blacks where the server has it, else a second whole read of the black list
 * (once for all of the user's black removals). The first absence OpenIM denies, or undefined.
 */
const deniedAbsence = async (
  userID: string,
  found: readonly Difference[],
  directory: OpenImDirectory,
): Promise<string | undefined> => {
  let secondBlackRead: Set<string> | undefined;
  for (const difference of found) {
    const other = difference.otherUserID;
    if (difference.kind === 'friendRemoved') {
      if ((await directory.designatedFriend(userID, other)) !== undefined) return 'a friend row the pages missed';
    } else if (difference.kind === 'blacklistRemoved') {
      const pair = await directory.specifiedBlack(userID, other);
      if (pair === 'present') return 'a black entry the pages missed';
      if (pair === 'noTargetedRead') {
        if (secondBlackRead === undefined) {
          const again = await readBlackListWhole(directory, userID);
          if (again.kind === 'unreadable') return again.reason;
          secondBlackRead = new Set(again.rows);
        }
        if (secondBlackRead.has(other)) return 'a black entry the first read missed';
      }
    }
  }
  return undefined;
};
