import { type Difference, differences } from './differences';
import { applyChanges } from './friend-list';
import type { FriendListVersion, FriendRow, OpenImDirectory } from './openim-directory';
import type { Clock, GraphReader, UserMirror } from './ports';
import { type RepairDraft, repairFor } from './repairs';

export interface UserOutcome {
  userID: string;
  differences: Difference[];
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
  // The graph is read after OpenIM: a callback applied meanwhile is older than the repair, which then wins.
  const view = await deps.graph.ownerView(userID);
  const found = differences(userID, { friends: list.friends, blacks }, view);
  const repairs = found.map((difference) =>
    repairFor(difference, difference.kind.startsWith('blacklist') ? blacksReadAt : friendsReadAt, sweepID),
  );
  return { userID, differences: found, repairs, mirror: { ...list, sweepID } };
};

type FriendList = { friends: FriendRow[]; version?: FriendListVersion; listHash?: bigint };

/**
 * The owner's friend list now: the mirror plus OpenIM's changes since its version, or the whole
 * list when OpenIM cannot say (a resync). A list that never changed sits at version 0, from
 * which OpenIM always answers with a resync; for it the ID hash answers in one call that the
 * list is still empty. (It cannot stand in for the changes elsewhere: equal IDs say nothing about
 * remarks.)
 */
const readFriendList = async (
  userID: string,
  mirror: UserMirror | undefined,
  directory: OpenImDirectory,
): Promise<FriendList> => {
  if (mirror?.version?.version === 0 && mirror.friends.length === 0 && mirror.listHash !== undefined) {
    const ids = await directory.friendIDs(userID, mirror.listHash);
    if (ids.kind === 'unchanged') return { friends: [], version: mirror.version, listHash: mirror.listHash };
  }
  const changes = await directory.friendListChanges(userID, mirror?.version);
  if (changes.kind === 'changes' && mirror !== undefined) {
    return { friends: applyChanges(mirror.friends, changes), version: changes.current };
  }
  // Read after the version was taken: changes from then on come again next time, which is harmless.
  const version = changes.current;
  if (version?.version === 0 && (mirror === undefined || mirror.friends.length === 0)) {
    const ids = await directory.friendIDs(userID);
    if (ids.kind === 'list' && ids.userIDs.length === 0) return { friends: [], version, listHash: ids.listHash };
  }
  return { friends: await directory.friendRows(userID), ...(version ? { version } : {}) };
};
