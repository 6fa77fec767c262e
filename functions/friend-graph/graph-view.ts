import { readPair } from './friend-graph';

/**
 * What the friend graph says about one owner, in the terms OpenIM's own lists use: the friend
 * rows with their remarks, and the black list. The reconciler compares this with OpenIM.
 */

/** One stored pair owner -> other, its registers as written by `friend-graph.ts` (absent: never set). */
export interface GraphRow {
  otherUserID: string;
  state?: string;
  remark?: string;
  blacklist?: string;
}

export interface OwnerView {
  /** Friend rows: other user -> the remark owner shows for them ("" when never set). */
  friends: Map<string, string>;
  /** Users the graph knows owner blocks. */
  blocked: Set<string>;
}

/** Each row read as `readPair` reads it: a friend row when `state` is `friends`, blocked only when the register says so. */
export const ownerView = (rows: Iterable<GraphRow>): OwnerView => {
  const view: OwnerView = { friends: new Map(), blocked: new Set() };
  for (const row of rows) {
    const pair = readPair({ ...row });
    if (pair.friendRow) view.friends.set(row.otherUserID, pair.remark);
    if (pair.blacklist === 'blocked') view.blocked.add(row.otherUserID);
  }
  return view;
};
