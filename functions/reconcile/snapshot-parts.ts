import { createHash } from 'node:crypto';
import {
  EVENT_SCHEMA_VERSION,
  type FriendListSnapshotDetail,
  type SnapshotAddress,
  type SnapshotFriend,
} from '../contract/events';
import { MAX_MESSAGE_BYTES } from '../openim/callback-body';
import { truncateText } from '../openim/safe-text';
import type { FriendRow } from './openim-directory';

/** A snapshot part before it is addressed to a bus. */
export interface SnapshotPartDraft {
  detailType: 'FriendListSnapshot';
  detail: FriendListSnapshotDetail;
}

/** The contract's bound on a part's detail: well under EventBridge's 256 KiB entry with the envelope. */
export const MAX_PART_DETAIL_BYTES = 200 * 1024;

/** One owner's lists as read at `observedAt`. */
export interface OwnerLists {
  ownerUserID: string;
  friends: readonly FriendRow[];
  blackUserIDs: readonly string[];
  observedAt: Date;
}

/**
 * One owner's lists as snapshot parts (`events.ts` `FriendListSnapshotDetail`): the other users'
 * IDs of both lists in one sorted walk, cut into parts of at most `MAX_PART_DETAIL_BYTES` of
 * detail, each covering the IDs from its first one up to the next part's first one, so that a
 * user's friend row and black entry always travel in the same part and the parts of an owner
 * cover every ID exactly once. An empty list is one part covering everything.
 */
export const snapshotParts = (snapshot: SnapshotAddress, lists: OwnerLists): SnapshotPartDraft[] => {
  const friends = new Map(lists.friends.map((row) => [row.userID, asCarried(row)]));
  const blacks = new Set(lists.blackUserIDs);
  const others = [...new Set([...friends.keys(), ...blacks])].sort();
  const at = lists.observedAt.toISOString();
  // The widest `to` any part could get, so a part is measured before its end is known.
  const widestID = others.reduce((widest, id) => Math.max(widest, jsonBytes(id)), 0);
  const bytesOf = (from: string) => jsonBytes(detailOf(snapshot, lists.ownerUserID, at, { from }, [], [], 0, 0));
  const budget = MAX_PART_DETAIL_BYTES - widestID - PLACEHOLDER_RESERVE;

  const cuts: { from: string; friends: SnapshotFriend[]; blackUserIDs: string[] }[] = [];
  let current = { from: '', friends: [] as SnapshotFriend[], blackUserIDs: [] as string[] };
  let size = bytesOf('');
  for (const id of others) {
    const friend = friends.get(id);
    const rowsBytes = (friend ? jsonBytes(friend) + 1 : 0) + (blacks.has(id) ? jsonBytes(id) + 1 : 0);
    const empty = current.friends.length === 0 && current.blackUserIDs.length === 0;
    if (!empty && size + rowsBytes > budget) {
      cuts.push(current);
      current = { from: id, friends: [], blackUserIDs: [] };
      size = bytesOf(id);
    }
    if (friend) current.friends.push(friend);
    if (blacks.has(id)) current.blackUserIDs.push(id);
    size += rowsBytes;
  }
  cuts.push(current);

  return cuts.map((cut, index) => {
    const next = cuts[index + 1];
    const covers = next ? { from: cut.from, to: next.from } : { from: cut.from };
    const part = index + 1;
    const idempotencyKey = createHash('sha256')
      .update(JSON.stringify([snapshot.id, lists.ownerUserID, part, at]))
      .digest('hex');
    return {
      detailType: 'FriendListSnapshot',
      detail: detailOf(snapshot, lists.ownerUserID, at, covers, cut.friends, cut.blackUserIDs, part, cuts.length, {
        idempotencyKey,
      }),
    };
  });
};

/** Room for what the measuring detail lacks: the part numbers (held as 0), the key (""), `,"to":`. */
const PLACEHOLDER_RESERVE = 2 * 10 + 64 + 6;

const detailOf = (
  snapshot: SnapshotAddress,
  ownerUserID: string,
  at: string,
  covers: { from: string; to?: string },
  friends: SnapshotFriend[],
  blackUserIDs: string[],
  part: number,
  parts: number,
  key: { idempotencyKey: string } = { idempotencyKey: '' },
): FriendListSnapshotDetail => ({
  schemaVersion: EVENT_SCHEMA_VERSION,
  operationID: '',
  receivedAt: at,
  observedAt: at,
  idempotencyKey: key.idempotencyKey,
  snapshot: { id: snapshot.id, for: snapshot.for },
  ownerUserID,
  covers,
  friends,
  blackUserIDs,
  part,
  parts,
});

/** A friend row as callbacks carry it: the remark cut to 16 KiB (idempotent) and flagged when cut. */
const asCarried = (row: FriendRow): SnapshotFriend => {
  const { value, altered } = truncateText(row.remark, MAX_MESSAGE_BYTES);
  return altered || row.remarkAltered
    ? { friendUserID: row.userID, remark: value, alteredFields: ['remark'] }
    : { friendUserID: row.userID, remark: value };
};

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');
