import type { SnapshotAddress } from '../contract/events';
import { readBlackListWhole } from './list-read';
import type { OpenImDirectory } from './openim-directory';
import type { Clock, MirrorStore, SnapshotCounters, SnapshotProgress, UserMirror } from './ports';
import { readFriendList } from './reconcile-user';
import { type OwnerLists, type SnapshotPartDraft, snapshotParts } from './snapshot-parts';
import { mapLimit, PART_DONE } from './sweep-part';

/**
 * One part of a snapshot, run by a worker invocation: a page of OpenIM's users, or a batch of the
 * users the snapshot was asked for. Each owner's lists are read as a sweep reads them (the mirror
 * and OpenIM's changes since its version, the black list whole, the same consistency rule), then
 * sent whole as `FriendListSnapshot` parts addressed to the snapshot's subscriber.
 */
export type SnapshotSelection = { pageNumber: number; pageSize: number } | { batch: number; userIDs: string[] };

export interface SnapshotPart {
  kind: 'snapshot';
  sweepID: string;
  snapshot: SnapshotAddress;
  select: SnapshotSelection;
}

export const snapshotPartName = ({ select }: SnapshotPart): string =>
  'userIDs' in select ? `snapshot-users#${select.batch}` : `snapshot-page#${select.pageNumber}`;

/** Tries at one owner's lists before it is named unreadable; each whole-list read already tries `READ_TRIES` times. */
export const SNAPSHOT_USER_TRIES = 2;

export interface SnapshotPartDeps {
  directory: OpenImDirectory;
  mirrors: MirrorStore;
  /** Puts the parts on the bus; rejects unless every one got in (the chunk is then redone). */
  publish: (parts: SnapshotPartDraft[]) => Promise<void>;
  progress: SnapshotProgress;
  clock: Clock;
  usersInFlight: number;
  chunkSize: number;
  /** No new chunk starts after this (epoch ms): the part returns and is invoked again to go on. */
  deadline: number;
}

export const zeroSnapshotCounters = (): SnapshotCounters => ({
  snapshotUsers: 0,
  snapshotFriendRows: 0,
  snapshotBlackRows: 0,
  snapshotParts: 0,
});

/**
 * Runs a part from where it last stopped until it is done or the deadline passes. Per chunk: read
 * the owners, publish their parts, save the mirrors, then the checkpoint. A crash redoes at most
 * the chunk, from a new read (new `observedAt`, new keys): a subscriber applies the later one.
 */
export const runSnapshotPart = async (part: SnapshotPart, deps: SnapshotPartDeps): Promise<{ done: boolean }> => {
  const name = snapshotPartName(part);
  const resumeAt = await deps.progress.resumePoint(part.sweepID, name);
  if (resumeAt === PART_DONE) return { done: true };
  const { select } = part;
  const userIDs =
    'userIDs' in select ? select.userIDs : (await deps.directory.userPage(select.pageNumber, select.pageSize)).userIDs;
  let next = resumeAt === undefined ? 0 : Number(resumeAt);
  if (next >= userIDs.length)
    await deps.progress.checkpointSnapshot(part.sweepID, name, PART_DONE, zeroSnapshotCounters(), []);
  while (next < userIDs.length) {
    if (deps.clock() >= deps.deadline) return { done: false };
    const chunk = userIDs.slice(next, next + deps.chunkSize);
    const { counters, unreadableUserIDs } = await snapshotChunk(chunk, part, deps);
    next += chunk.length;
    const cursor = next < userIDs.length ? String(next) : PART_DONE;
    await deps.progress.checkpointSnapshot(part.sweepID, name, cursor, counters, unreadableUserIDs);
  }
  return { done: true };
};

type OwnerRead = { kind: 'read'; lists: OwnerLists; mirror: UserMirror } | { kind: 'unreadable'; userID: string };

const snapshotChunk = async (users: readonly string[], part: SnapshotPart, deps: SnapshotPartDeps) => {
  const unique = [...new Set(users)];
  const mirrors = await deps.mirrors.load(unique);
  const reads = await mapLimit(unique, deps.usersInFlight, (userID) =>
    readOwner(userID, mirrors.get(userID), part.sweepID, deps),
  );
  const read = reads.filter((outcome) => outcome.kind === 'read');
  const drafts = read.flatMap((outcome) => snapshotParts(part.snapshot, outcome.lists));
  // Published before the mirrors move on: a crash in between reads the same lists again.
  if (drafts.length > 0) await deps.publish(drafts);
  if (read.length > 0)
    await deps.mirrors.save(new Map(read.map((outcome) => [outcome.lists.ownerUserID, outcome.mirror])));
  const counters: SnapshotCounters = {
    snapshotUsers: read.length,
    snapshotFriendRows: read.reduce((sum, outcome) => sum + outcome.lists.friends.length, 0),
    snapshotBlackRows: read.reduce((sum, outcome) => sum + outcome.lists.blackUserIDs.length, 0),
    snapshotParts: drafts.length,
  };
  const unreadableUserIDs = reads.flatMap((outcome) => (outcome.kind === 'unreadable' ? [outcome.userID] : []));
  return { counters, unreadableUserIDs };
};

/**
 * One owner's lists as a sweep reads them, `observedAt` taken before the first call. A read that
 * never settles (a list that kept changing while read) is tried again from scratch, whole; after
 * `SNAPSHOT_USER_TRIES` the owner is unreadable and no part is sent for it: a partial read is
 * never reported as a list.
 */
const readOwner = async (
  userID: string,
  mirror: UserMirror | undefined,
  snapshotID: string,
  deps: Pick<SnapshotPartDeps, 'directory' | 'clock'>,
): Promise<OwnerRead> => {
  let from = mirror;
  for (let attempt = 1; attempt <= SNAPSHOT_USER_TRIES; attempt++) {
    const observedAt = new Date(deps.clock());
    const list = await readFriendList(userID, from, deps.directory);
    const blacks = list.kind === 'read' ? await readBlackListWhole(deps.directory, userID) : undefined;
    if (list.kind === 'read' && blacks?.kind === 'read') {
      return {
        kind: 'read',
        lists: { ownerUserID: userID, friends: list.friends, blackUserIDs: blacks.rows, observedAt },
        mirror: {
          friends: list.friends,
          ...(list.version ? { version: list.version } : {}),
          sweepID: snapshotID,
          observedAt: observedAt.getTime(),
        },
      };
    }
    from = undefined;
  }
  return { kind: 'unreadable', userID };
};
