/**
 * What a reconciliation sweep reads from OpenIM, in the reconciler's own terms. The adapter in
 * `functions/adapters/openim-api/` implements it over OpenIM's REST API (admin login and token cache,
 * envelopes, paging, pacing, timeouts, server-version differences); tests use fakes. No OpenIM
 * HTTP detail (routes, errCodes, field spellings, idHash arithmetic) appears on this side.
 */

/** A point in one user's friend-list history, as OpenIM numbers it. */
export interface FriendListVersion {
  versionID: string;
  version: number;
}

/**
 * One directed friend row: `userID` is on the owner's list, shown with `remark` ("" when never
 * set). Inside the reconciler a remark is held as callbacks carry it (at most 16 KiB, cut on a
 * character boundary), and `remarkAltered` says it was cut, so a long remark fits every store and
 * event and an unchanged one always compares equal.
 */
export interface FriendRow {
  userID: string;
  remark: string;
  remarkAltered?: true;
}

export type FriendListChanges =
  /**
   * OpenIM cannot say what changed since the version given (none given, unknown, too old, or
   * more changes than it reports, or a server without versions): read the whole list.
   * `current` is the version to ask from next time, when the server has versions.
   */
  | { kind: 'resync'; current?: FriendListVersion }
  /** Rows removed, and rows added or changed (remark, pin), since the version given. */
  | { kind: 'changes'; current: FriendListVersion; removed: string[]; upserted: FriendRow[] };

/** The friend IDs of an owner, or the news that they still hash to the value the caller knows. */
export type FriendIDs = { kind: 'unchanged' } | { kind: 'list'; userIDs: string[]; listHash: bigint };

/**
 * One skip/limit page of a list as OpenIM served it: its rows (none for OpenIM's `null`) and the
 * `total` OpenIM computed for that request. Nothing here says the page is whole or the list did
 * not move: `list-read.ts` decides that.
 */
export interface ListPage<T> {
  rows: T[];
  total: number;
}

/** A read aimed at one pair: found, absent, or a server that has no such read. */
export type PairRead = 'present' | 'absent' | 'noTargetedRead';

export interface OpenImDirectory {
  /** One page (1-based) of the IDs of every user OpenIM has, and how many users there are in all. */
  userPage(pageNumber: number, pageSize: number): Promise<{ userIDs: string[]; total: number }>;
  /** What changed in the owner's friend list since `since` (`undefined`: nothing known yet). */
  friendListChanges(ownerUserID: string, since: FriendListVersion | undefined): Promise<FriendListChanges>;
  /**
   * The owner's friend IDs in OpenIM's order, unless their hash equals `knownHash` (the
   * `listHash` of an earlier answer). Servers without the hash shortcut always return the list.
   */
  friendIDs(ownerUserID: string, knownHash?: bigint): Promise<FriendIDs>;
  /** One page of the owner's friend list (get_friend_list), pinned first, then as added. */
  friendPage(ownerUserID: string, pageNumber: number, pageSize: number): Promise<ListPage<FriendRow>>;
  /** The owner's row for this friend (get_designated_friends), or undefined when it is not on the list. */
  designatedFriend(ownerUserID: string, friendUserID: string): Promise<FriendRow | undefined>;
  /** One page of the IDs on the owner's black list (get_black_list), in no sort. */
  blackPage(ownerUserID: string, pageNumber: number, pageSize: number): Promise<ListPage<string>>;
  /** Whether this ID is on the owner's black list, by the server's targeted read (v3.8.1+ get_specified_blacks). */
  specifiedBlack(ownerUserID: string, blackUserID: string): Promise<PairRead>;
}

/** Why OpenIM could not answer: which read, OpenIM's own code when it gave one, and whether trying later may help. */
export class OpenImReadError extends Error {
  constructor(
    message: string,
    readonly details: { endpoint: string; errCode?: number; httpStatus?: number; retryable: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OpenImReadError';
  }
}

/**
 * How one HTTP request went (a retry or a login is a request of its own): `ok`, an OpenIM error
 * in a 200 reply (`api-error`, with `errCode`), `throttled` (429), another HTTP status
 * (`http-error`: a bare 500, a 404 for an unknown route), `timeout`, or `network-error`.
 */
export interface CallObservation {
  endpoint: string;
  outcome: 'ok' | 'api-error' | 'throttled' | 'http-error' | 'timeout' | 'network-error';
  errCode?: number;
  httpStatus?: number;
  /** 1 for the first request of a call, 2 for its first retry, ... */
  attempt: number;
  /** When the request was sent (the clock's epoch ms): what the pacing controls. */
  startedAtMs: number;
  durationMs: number;
}
