import { readPair } from './friend-graph';

/**
 * What the friend graph says about one owner, in the terms OpenIM's own lists use: the friend
 * rows with their remarks, and the black list. The reconciler compares this with OpenIM.
 */

/**
 * One stored pair owner -> other, its registers as written by `friend-graph.ts` (absent: never
 * set), each with the version of the change that set it (`<receivedAt ISO>#<idempotencyKey>`,
 * stored beside it as `<register>Version`).
 */
export interface GraphRow {
  otherUserID: string;
  state?: string;
  stateVersion?: string;
  remark?: string;
  remarkVersion?: string;
  blacklist?: string;
  blacklistVersion?: string;
}

/** The versions of the registers of one pair that a view reads (absent: never set). */
export interface PairVersions {
  state?: string;
  remark?: string;
  blacklist?: string;
}

export interface OwnerView {
  /** Friend rows: other user -> the remark owner shows for them ("" when never set). */
  friends: Map<string, string>;
  /** Users the graph knows owner blocks. */
  blocked: Set<string>;
  /**
   * Every stored pair with a versioned register (friend or not: a newer `removed` matters too) ->
   * the versions of its registers, so the reconciler can tell a change newer than its read.
   */
  versions: Map<string, PairVersions>;
}

/** Each row read as `readPair` reads it: a friend row when `state` is `friends`, blocked only when the register says so. */
export const ownerView = (rows: Iterable<GraphRow>): OwnerView => {
  const view: OwnerView = { friends: new Map(), blocked: new Set(), versions: new Map() };
  for (const row of rows) {
    const pair = readPair({ ...row });
    if (pair.friendRow) view.friends.set(row.otherUserID, pair.remark);
    if (pair.blacklist === 'blocked') view.blocked.add(row.otherUserID);
    const versions: PairVersions = {
      ...(row.stateVersion === undefined ? {} : { state: row.stateVersion }),
      ...(row.remarkVersion === undefined ? {} : { remark: row.remarkVersion }),
      ...(row.blacklistVersion === undefined ? {} : { blacklist: row.blacklistVersion }),
    };
    if (Object.keys(versions).length > 0) view.versions.set(row.otherUserID, versions);
  }
  return view;
};
