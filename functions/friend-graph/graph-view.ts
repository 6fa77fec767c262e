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

/** A friend row exists when the state register says `friends`; blocked only when the blacklist register says so. */
export const ownerView = (rows: Iterable<GraphRow>): OwnerView => {
  const view: OwnerView = { friends: new Map(), blocked: new Set() };
  for (const row of rows) {
    if (row.state === 'friends') view.friends.set(row.otherUserID, row.remark ?? '');
    if (row.blacklist === 'blocked') view.blocked.add(row.otherUserID);
  }
  return view;
};
