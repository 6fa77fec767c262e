import { MAX_MESSAGE_BYTES } from '../openim/callback-body';
import { truncateText } from '../openim/safe-text';
import type { FriendListVersion, FriendRow, ListPage, OpenImDirectory } from './openim-directory';

/**
 * Whole-list reads that the engine may trust. OpenIM serves friend and black lists in skip/limit
 * pages over a list that can change between two pages (a delete after page 1 hides the first row
 * of page 2), answers an empty page with `null` whatever its `total`, and may sit behind a proxy
 * that caps page sizes. So a read counts only when it is consistent: every page gave the same
 * `total`, the rows read equal it, no row came twice, a short page ended the list only when
 * `total` said so (a capped page is followed at the size served), and, for friend lists on
 * servers with versions, the list's version is the same after the pages as before them. A read
 * that moved is tried again a few times; one that never settles is `unreadable`, and nothing is
 * concluded from it.
 */

/** Rows asked per page: FriendInfo carries `ex` fields of any size, and OpenIM's RPC replies stop at 8 MiB. */
export const LIST_PAGE_SIZE = 500;
/** Whole reads of one list before its user is left for the next sweep. */
export const READ_TRIES = 3;

export type ListRead<T> = { kind: 'read'; rows: T[] } | { kind: 'unreadable'; reason: string };

/** A remark as callbacks carry it: at most 16 KiB, cut on a character boundary and flagged when cut. */
export const heldRow = (row: FriendRow): FriendRow => {
  const { value, altered } = truncateText(row.remark, MAX_MESSAGE_BYTES);
  return altered ? { userID: row.userID, remark: value, remarkAltered: true } : { userID: row.userID, remark: value };
};

/** One pass over every page; `unreadable` as soon as the pages disagree with each other or with `total`. */
export const readPages = async <T>(
  pageOf: (pageNumber: number, pageSize: number) => Promise<ListPage<T>>,
  keyOf: (row: T) => string,
  pageSize = LIST_PAGE_SIZE,
): Promise<ListRead<T>> => {
  const rows: T[] = [];
  let size = pageSize;
  let pageNumber = 1;
  let total: number | undefined;
  for (;;) {
    const page = await pageOf(pageNumber, size);
    if (total !== undefined && page.total !== total) return unreadable(`total moved from ${total} to ${page.total}`);
    total = page.total;
    rows.push(...page.rows);
    if (rows.length >= total) break;
    if (page.rows.length === 0) return unreadable(`page ${pageNumber} was empty with ${rows.length} of ${total} read`);
    if (page.rows.length < size) {
      // A server that serves fewer rows than asked: go on at the size it serves, from where it stopped.
      if (rows.length % page.rows.length !== 0) return unreadable(`page ${pageNumber} was short mid-list`);
      size = page.rows.length;
    }
    pageNumber = rows.length / size + 1;
  }
  if (rows.length !== total) return unreadable(`${rows.length} rows read for a total of ${total}`);
  if (new Set(rows.map(keyOf)).size !== rows.length) return unreadable('a row was served twice');
  return { kind: 'read', rows };
};

/**
 * The owner's whole friend list with the version it is proved at: the pages, then the version
 * log asked from `before`; a version that moved during the pages is the next try's `before`.
 * Without versions (v3.7) the pages' own consistency is all there is.
 */
export const readFriendListWhole = async (
  directory: OpenImDirectory,
  ownerUserID: string,
  before: FriendListVersion | undefined,
): Promise<
  { kind: 'read'; rows: FriendRow[]; version?: FriendListVersion } | { kind: 'unreadable'; reason: string }
> => {
  let version = before;
  let reason = '';
  for (let attempt = 1; attempt <= READ_TRIES; attempt++) {
    const read = await readPages(
      (pageNumber, pageSize) => directory.friendPage(ownerUserID, pageNumber, pageSize),
      (row) => row.userID,
    );
    const after = version === undefined ? undefined : await directory.friendListChanges(ownerUserID, version);
    const moved = after !== undefined && !(after.kind === 'changes' && sameVersion(after.current, version));
    if (read.kind === 'read' && !moved) {
      return { kind: 'read', rows: read.rows.map(heldRow), ...(version ? { version } : {}) };
    }
    reason = read.kind === 'unreadable' ? read.reason : 'the friend list changed while it was read';
    if (after?.current) version = after.current;
  }
  return unreadable(`friend list: ${reason} (${READ_TRIES} tries)`);
};

/** The owner's whole black list (black lists have no version: the pages' consistency is the proof). */
export const readBlackListWhole = async (
  directory: OpenImDirectory,
  ownerUserID: string,
): Promise<ListRead<string>> => {
  let reason = '';
  for (let attempt = 1; attempt <= READ_TRIES; attempt++) {
    const read = await readPages(
      (pageNumber, pageSize) => directory.blackPage(ownerUserID, pageNumber, pageSize),
      (id) => id,
    );
    if (read.kind === 'read') return read;
    reason = read.reason;
  }
  return unreadable(`black list: ${reason} (${READ_TRIES} tries)`);
};

const sameVersion = (a: FriendListVersion, b: FriendListVersion | undefined): boolean =>
  b !== undefined && a.versionID === b.versionID && a.version === b.version;

const unreadable = (reason: string): { kind: 'unreadable'; reason: string } => ({ kind: 'unreadable', reason });
