import { idHash } from '../../../functions/adapters/openim-api/id-hash';
import {
  errArgs,
  errCanNotAddYourself,
  errFriendRequestHandled,
  errRecordNotFound,
  errRegisteredAlready,
  errRelationshipAlready,
  userNotFound,
} from './api-error';
import { BlackLists } from './black-lists';
import { page } from './page';
import { SORT_CHANGE_ID, VERSION_STATE, VersionLogs } from './version-log';

/**
 * OpenIM's friend data, as its friend RPC service keeps and changes it (`rpc/relation`,
 * `controller/friend.go`, `mgo/friend.go`): users; two directed friend rows per friendship (a
 * delete removes one); friend requests; black lists; the per-owner version log. The rules of
 * each write are OpenIM's, errors included. Everything is in memory, sized for 1,000,000 rows.
 */
export interface UserRecord {
  userID: string;
  nickname: string;
  faceURL: string;
  ex: string;
  /** Milliseconds. */
  createTime: number;
}

export class FriendRecord {
  constructor(
    readonly friendUserID: string,
    public remark: string,
    public isPinned: boolean,
    public ex: string,
    readonly addSource: number,
    readonly operatorUserID: string,
    /** Seconds. */
    readonly createTime: number,
  ) {}
}

/** `constant.BecomeFriendByImport` / `BecomeFriendByApply`. */
export const ADD_SOURCE = { import: 1, apply: 2 } as const;

interface FriendRequest {
  handleResult: number;
}

export interface FriendUpdate {
  isPinned?: boolean;
  remark?: string;
  ex?: string;
}

export interface ModelOptions {
  /** v3.8+ sort friend lists pinned first (`is_pinned` -1, `_id` 1); v3.7 keeps insertion order. */
  pinnedFirst: boolean;
  /** v3.7 refuses a delete, designated read or update of an ID that is not on the list (1004). */
  strictFriendLookups: boolean;
  now: () => number;
}

export class OpenImModel {
  private readonly users = new Map<string, UserRecord>();
  private userIDs: string[] | undefined;
  private readonly friends = new Map<string, Map<string, FriendRecord>>();
  private readonly ordered = new Map<string, { rows: FriendRecord[]; ids: string[]; hash?: bigint }>();
  private readonly requests = new Map<string, FriendRequest>();
  readonly versions: VersionLogs;
  readonly blackLists: BlackLists;

  constructor(private readonly options: ModelOptions) {
    this.versions = new VersionLogs(options.now);
    this.blackLists = new BlackLists(this, () => this.seconds());
  }

  private seconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  // --- users ---------------------------------------------------------------------------------

  hasUser(userID: string): boolean {
    return this.users.has(userID);
  }

  user(userID: string): UserRecord | undefined {
    return this.users.get(userID);
  }

  /** `/user/user_register`. */
  register(users: { userID: string; nickname?: string; faceURL?: string; ex?: string }[]): void {
    if (users.length === 0) throw errArgs('users is empty');
    if (new Set(users.map((user) => user.userID)).size !== users.length) throw errArgs('userID repeated');
    for (const { userID } of users) {
      if (userID === '') throw errArgs('userID is empty');
      if (userID.includes(':')) throw errArgs("userID contains ':' is invalid userID");
    }
    if (users.some((user) => this.users.has(user.userID))) throw errRegisteredAlready('userID registered already');
    for (const user of users) this.addUser(user);
  }

  /** A user as seeded or registered. */
  addUser(user: { userID: string; nickname?: string; faceURL?: string; ex?: string }): void {
    const { userID, nickname = '', faceURL = '', ex = '' } = user;
    this.users.set(userID, { userID, nickname, faceURL, ex, createTime: this.options.now() });
    this.userIDs = undefined;
  }

  /**
   * The stand-in's way for a user to vanish (OpenIM has no delete route): the user, their rows,
   * requests and black list, and every row and black entry naming them on other lists. Each owner
   * who loses a row gets a version-log delete, as after a delete_friend.
   */
  deleteUser(userID: string): boolean {
    if (!this.users.delete(userID)) return false;
    this.userIDs = undefined;
    this.friends.delete(userID);
    this.ordered.delete(userID);
    for (const [owner, rows] of this.friends) {
      if (rows.delete(userID)) {
        this.ordered.delete(owner);
        this.versions.record(owner, [userID], VERSION_STATE.delete);
      }
    }
    this.blackLists.forget(userID);
    for (const key of this.requests.keys()) {
      const [from, to] = key.split('\u0000');
      if (from === userID || to === userID) this.requests.delete(key);
    }
    return true;
  }

  /** get_all_users_uid: skip/limit over the users in insertion order, no sort. */
  userPage(pageNumber: number, showNumber: number): { total: number; userIDs: string[] } {
    this.userIDs ??= [...this.users.keys()];
    return { total: this.userIDs.length, userIDs: page(this.userIDs, pageNumber, showNumber) };
  }

  // --- friend reads ----------------------------------------------------------------------------

  private list(owner: string): { rows: FriendRecord[]; ids: string[]; hash?: bigint } {
    let list = this.ordered.get(owner);
    if (!list) {
      const all = [...(this.friends.get(owner)?.values() ?? [])];
      const rows = this.options.pinnedFirst
        ? [...all.filter((row) => row.isPinned), ...all.filter((row) => !row.isPinned)]
        : all;
      list = { rows, ids: rows.map((row) => row.friendUserID) };
      this.ordered.set(owner, list);
    }
    return list;
  }

  /** The owner's friend rows in OpenIM's order. */
  friendRows(owner: string): readonly FriendRecord[] {
    return this.list(owner).rows;
  }

  friendIDs(owner: string): readonly string[] {
    return this.list(owner).ids;
  }

  friendIDsHash(owner: string): bigint {
    const list = this.list(owner);
    list.hash ??= idHash(list.ids);
    return list.hash;
  }

  /** `FindFriends`: the owner's rows for these IDs, in storage order; unknown IDs left out. */
  findFriends(owner: string, ids: readonly string[]): FriendRecord[] {
    const rows = this.friends.get(owner);
    if (!rows) return [];
    const wanted = new Set(ids);
    const found = [...rows.values()].filter((row) => wanted.has(row.friendUserID));
    if (this.options.strictFriendLookups && found.length !== wanted.size) throw errRecordNotFound();
    return found;
  }

  isFriend(owner: string, friend: string): boolean {
    return this.friends.get(owner)?.has(friend) ?? false;
  }

  // --- friend writes ---------------------------------------------------------------------------

  /** Inserts rows owner -> each ID; one version step per owner. Rows that exist are kept. */
  private createRows(rows: { owner: string; friend: string; addSource: number; operator: string }[]): void {
    const byOwner = new Map<string, string[]>();
    for (const { owner, friend, addSource, operator } of rows) {
      let list = this.friends.get(owner);
      if (!list) {
        list = new Map();
        this.friends.set(owner, list);
      }
      if (list.has(friend)) continue;
      list.set(friend, new FriendRecord(friend, '', false, '', addSource, operator, this.seconds()));
      this.ordered.delete(owner);
      const ids = byOwner.get(owner);
      if (ids) ids.push(friend);
      else byOwner.set(owner, [friend]);
    }
    for (const [owner, ids] of byOwner) this.versions.record(owner, ids, VERSION_STATE.insert);
  }

  /** A seeded row: no version step (the owner's log starts at version 1 after the seed). */
  seedRow(owner: string, record: FriendRecord): void {
    let list = this.friends.get(owner);
    if (!list) {
      list = new Map();
      this.friends.set(owner, list);
    }
    list.set(record.friendUserID, record);
    this.ordered.delete(owner);
  }

  /** `/friend/add_friend`: a request, no row. */
  applyToAdd(from: string, to: string): void {
    if (from === to) throw errCanNotAddYourself('req.ToUserID', { 'req.ToUserID': to });
    if (!this.users.has(from) || !this.users.has(to)) throw userNotFound();
    if (this.isFriend(from, to) && this.isFriend(to, from)) throw errRelationshipAlready('already friends has f');
    this.requests.set(requestKey(from, to), { handleResult: 0 });
  }

  /** `/friend/add_friend_response`: 1 accepts (the two rows), -1 refuses. */
  respond(from: string, to: string, handleResult: number): void {
    if (handleResult !== 1 && handleResult !== -1) throw errArgs('req.HandleResult != -1/1');
    const request = this.requests.get(requestKey(from, to));
    if (!request) throw errRecordNotFound('mongo: no documents in result');
    if (handleResult === -1) {
      if (request.handleResult !== 0) throw errFriendRequestHandled('friend request has already been processed');
      request.handleResult = -1;
      return;
    }
    if (request.handleResult !== 0) throw errArgs('the friend request has been processed');
    request.handleResult = 1;
    const reverse = this.requests.get(requestKey(to, from));
    if (reverse?.handleResult === 0) reverse.handleResult = 1;
    this.createRows([
      { owner: to, friend: from, addSource: ADD_SOURCE.apply, operator: from },
      { owner: from, friend: to, addSource: ADD_SOURCE.apply, operator: from },
    ]);
  }

  /** `/friend/import_friend` (admin): both rows for each ID. */
  importFriends(owner: string, ids: readonly string[], operator: string): void {
    if ([owner, ...ids].some((id) => !this.users.has(id))) throw userNotFound();
    if (ids.includes(owner)) throw errCanNotAddYourself('can not add yourself');
    if (new Set(ids).size !== ids.length) throw errArgs('friend userID repeated');
    this.createRows(
      ids.flatMap((friend) => [
        { owner, friend, addSource: ADD_SOURCE.import, operator },
        { owner: friend, friend: owner, addSource: ADD_SOURCE.import, operator },
      ]),
    );
  }

  /** `/friend/delete_friend`: the owner's row only. v3.8+ log a delete even for a non-friend. */
  deleteFriend(owner: string, friend: string): void {
    this.findFriends(owner, [friend]); // v3.7: 1004 for a non-friend
    if (this.friends.get(owner)?.delete(friend)) this.ordered.delete(owner);
    this.versions.record(owner, [friend], VERSION_STATE.delete);
  }

  /** `/friend/set_friend_remark`. */
  setRemark(owner: string, friend: string, remark: string): void {
    const row = this.friends.get(owner)?.get(friend);
    if (!row) throw errRecordNotFound('mongo update not matched');
    row.remark = remark;
    this.versions.record(owner, [friend], VERSION_STATE.update);
  }

  /** `/friend/update_friends`: pin, remark, ex of several rows; every ID given is logged, found or not. */
  updateFriends(owner: string, ids: readonly string[], update: FriendUpdate): void {
    if (ids.length === 0) throw errArgs('friendIDList is empty');
    if (new Set(ids).size !== ids.length) throw errArgs('friendIDList repeated');
    const rows = this.findFriends(owner, ids);
    // Every version refuses an ID that is not on the list (FindFriendsWithError: 1004), writing
    // nothing: no version-log entry names a row that does not exist.
    if (rows.length !== ids.length) throw errRecordNotFound();
    if (update.isPinned === undefined && update.remark === undefined && update.ex === undefined) return;
    for (const row of rows) {
      if (update.isPinned !== undefined) row.isPinned = update.isPinned;
      if (update.remark !== undefined) row.remark = update.remark;
      if (update.ex !== undefined) row.ex = update.ex;
    }
    this.ordered.delete(owner);
    const logged = update.isPinned === undefined ? ids : [SORT_CHANGE_ID, ...ids];
    this.versions.record(owner, logged, VERSION_STATE.update);
  }
}

const requestKey = (from: string, to: string): string => `${from}\u0000${to}`;
