import { type Difference, differences, observedAtOf } from './differences';
import { applyChanges } from './friend-list';
import type { FriendListVersion, FriendRow, OpenImDirectory } from './openim-directory';
import type { Clock, GraphReader, UserMirror } from './ports';
import { type RepairDraft, repairFor } from './repairs';

export interface UserOutcome {
  userID: string;
  differences: Difference[];
  /** Differences the graph learned of after the read: left to the next sweep. */
  deferred: number;
  repairs: RepairDraft[];
  /** To save once the repairs are on the bus. */
  mirror: UserMirror;
}

export interface ReconcileDeps {
  directory: OpenImDirectory;
  graph: GraphReader;
  clock: Clock;
}

/**
 * Reads one user's lists from OpenIM and compares them with the graph: usually two calls, the
 * friend list's changes since the mirror's version (remark and pin changes included) and the
 * black list (which has no versions). Each repair states the time just before its list was
 * read: a callback received after that may carry a newer change, and wins.
 */
export const reconcileUser = async (
  userID: string,
  mirror: UserMirror | undefined,
  sweepID: string,
  deps: ReconcileDeps,
  /** For a user OpenIM's pages did not list (vanished, or missed by a shifted page): no version log to trust. */
  readWhole = false,
): Promise<UserOutcome> => {
  const friendsReadAt = new Date(deps.clock());
  const list = readWhole
    ? { friends: await deps.directory.friendRows(userID) }
    : await readFriendList(userID, mirror, deps.directory);
  const blacksReadAt = new Date(deps.clock());
  const blacks = await deps.directory.blackList(userID);
  // The graph is read after OpenIM: a difference it learned of after the read is deferred.
  const view = await deps.graph.ownerView(userID);
  const readTimes = { friendsReadAt, blacksReadAt };
  const { found, deferred } = differences(userID, { friends: list.friends, blacks }, view, readTimes);
  const repairs = found.map((difference) => repairFor(difference, observedAtOf(difference, readTimes), sweepID));
  return {
    userID,
    differences: found,
    deferred: deferred.length,
    repairs,
    mirror: { ...list, sweepID, observedAt: friendsReadAt.getTime() },
  };
};

type FriendList = { friends: FriendRow[]; version?: FriendListVersion };

/**
 * The owner's friend list now: the mirror plus OpenIM's changes since its version, or the whole
 * list when OpenIM cannot say (a resync: no mirror yet, an unknown version ID, more than 200
 * changed IDs, a server without versions). The ID hash (`friendIDs`) is not used: equal IDs say
 * nothing about remarks, so a resync must read the rows anyway (docs/design.md).
 */
const readFriendList = async (
  userID: string,
  mirror: UserMirror | undefined,
  directory: OpenImDirectory,
): Promise<FriendList> => {
  const changes = await directory.friendListChanges(userID, mirror?.version);
  if (changes.kind === 'changes' && mirror !== undefined) {
    return { friends: applyChanges(mirror.friends, changes), version: changes.current };
  }
  // Read after the version was taken: changes from then on come again next time, which is harmless.
  const friends = await directory.friendRows(userID);
  return { friends, ...(changes.current ? { version: changes.current } : {}) };
};
