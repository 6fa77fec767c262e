import { createHash } from 'node:crypto';
import type {
  FriendListSnapshotDetail,
  FriendListSnapshotEvent,
  FriendSnapshotCompletedEvent,
  SnapshotAddress,
} from '../../functions/contract/events';

/**
 * Snapshot events as the contract (`functions/contract/events.ts`) defines them, built from lists
 * such as `ModelDirectory.lists()` gives: per owner, the IDs of both lists in UTF-16 order, cut
 * every `rowsPerPart` IDs; part k covers from its first ID (the first part from "") to the next
 * part's first ID (the last part to the end), so an owner's parts cover every user ID without
 * overlap and each applies alone. The engine cuts by detail size (200 KiB); the shape is the same.
 */
export interface SnapshotLists {
  friends: readonly { userID: string; remark: string }[];
  blacks: readonly string[];
}

export interface SnapshotOptions {
  address: SnapshotAddress;
  observedAt: string;
  /** IDs (friends and blacks together) per part at most. @default all in one part */
  rowsPerPart?: number;
  source?: string;
}

const envelope = <T>(detailType: T, time: string, source: string, key: string) => ({
  version: '0',
  id: `snapshot-${key.slice(0, 16)}`,
  'detail-type': detailType,
  source,
  account: '000000000000',
  time,
  region: 'us-east-1',
  resources: [],
});

/** One owner's parts, numbered 1..parts. */
export const ownerParts = (
  ownerUserID: string,
  lists: SnapshotLists,
  options: SnapshotOptions,
): FriendListSnapshotEvent[] => {
  const remarks = new Map(lists.friends.map((friend) => [friend.userID, friend.remark]));
  const blacks = new Set(lists.blacks);
  const ids = [...new Set([...remarks.keys(), ...blacks])].sort();
  const size = Math.max(1, options.rowsPerPart ?? ids.length);
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += size) chunks.push(ids.slice(start, start + size));
  if (chunks.length === 0) chunks.push([]);
  return chunks.map((chunk, index) => {
    const next = chunks[index + 1]?.[0];
    const idempotencyKey = createHash('sha256')
      .update(`${options.address.id}\n${ownerUserID}\n${index + 1}`)
      .digest('hex');
    const detail: FriendListSnapshotDetail = {
      schemaVersion: 1,
      operationID: '',
      receivedAt: options.observedAt,
      observedAt: options.observedAt,
      idempotencyKey,
      snapshot: options.address,
      ownerUserID,
      covers: { from: index === 0 ? '' : (chunk[0] ?? ''), ...(next === undefined ? {} : { to: next }) },
      friends: chunk.flatMap((id) => {
        const remark = remarks.get(id);
        return remark === undefined ? [] : [{ friendUserID: id, remark }];
      }),
      blackUserIDs: chunk.filter((id) => blacks.has(id)),
      part: index + 1,
      parts: chunks.length,
    };
    return {
      ...envelope('FriendListSnapshot' as const, options.observedAt, options.source ?? 'openim', idempotencyKey),
      detail,
    };
  });
};

/** Every owner's parts, then the completion (published after every part). */
export const snapshotEvents = (
  lists: ReadonlyMap<string, SnapshotLists>,
  options: SnapshotOptions & { completedAt: string },
): { parts: FriendListSnapshotEvent[]; completed: FriendSnapshotCompletedEvent } => {
  const parts = [...lists].flatMap(([owner, ownerLists]) => ownerParts(owner, ownerLists, options));
  const key = createHash('sha256').update(`${options.address.id}\ncompleted`).digest('hex');
  return {
    parts,
    completed: {
      ...envelope('FriendSnapshotCompleted' as const, options.completedAt, options.source ?? 'openim', key),
      detail: {
        schemaVersion: 1,
        snapshot: options.address,
        idempotencyKey: key,
        users: lists.size,
        friendRows: parts.reduce((sum, part) => sum + part.detail.friends.length, 0),
        blackRows: parts.reduce((sum, part) => sum + part.detail.blackUserIDs.length, 0),
        unreadableUserIDs: [],
        startedAt: options.observedAt,
        completedAt: options.completedAt,
      },
    },
  };
};
