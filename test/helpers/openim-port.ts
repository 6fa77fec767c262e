import type {
  FriendIDs,
  FriendListChanges,
  FriendListVersion,
  FriendRow,
  ListPage,
  OpenImDirectory,
  PairRead,
} from '../../functions/reconcile/openim-directory';
import { ApiError } from '../../infra/local/openim-api/api-error';
import type { FriendRecord } from '../../infra/local/openim-api/model';
import { OpenImModel } from '../../infra/local/openim-api/model';

/**
 * The reconciler's port (`OpenImDirectory`) over the OpenIM stand-in's own model
 * (`infra/local/openim-api/model.ts`), in process and without HTTP: the one OpenIM model the
 * unit and property tests share with the stand-in server, with OpenIM's write rules, list order
 * (pinned first, then as added), version log and skip/limit pages. Actions are applied as OpenIM
 * applies them and return the callback body OpenIM posts after them (none for blocking and
 * `update_friends`, and none when OpenIM refuses).
 *
 * Faults a real server or a proxy in front of it can play: a page cap, pages answered `null` with
 * their total, an action applied between two pages of one read, a server without a targeted
 * black read.
 */
export type OpenImAction =
  | { action: 'request'; from: string; to: string }
  | { action: 'agree'; applicant: string; accepter: string }
  | { action: 'import'; owner: string; friends: string[] }
  | { action: 'delete'; owner: string; friend: string }
  | { action: 'remark'; owner: string; friend: string; remark: string }
  | { action: 'update'; owner: string; friend: string; remark?: string; pinned?: boolean }
  | { action: 'block'; owner: string; black: string }
  | { action: 'unblock'; owner: string; black: string }
  | { action: 'removeUser'; user: string };

export type CallbackBody = Record<string, unknown> & { callbackCommand: string };

const ADMIN = 'imAdmin';
const ALL = Number.MAX_SAFE_INTEGER;

export class ModelDirectory implements OpenImDirectory {
  /** Calls per port method, to check what a sweep costs. */
  readonly calls = new Map<keyof OpenImDirectory, number>();
  readonly model = new OpenImModel({
    pinnedFirst: true,
    strictFriendLookups: false,
    now: () => Date.UTC(2026, 10, 26),
  });
  /** Rows per page at most, whatever was asked (a proxy's or a fork's cap). */
  pageCap = Number.POSITIVE_INFINITY;
  /** Whether the server has a read aimed at one black entry (v3.8.1+ get_specified_blacks). */
  targetedBlackRead = true;
  private readonly nullPages = new Map<string, number>();
  private readonly betweenPages: { owner: string; afterPage: number; step: OpenImAction }[] = [];

  constructor(users: Iterable<string> = []) {
    for (const user of users) this.addUser(user);
  }

  addUser(user: string): void {
    if (!this.model.hasUser(user)) this.model.addUser({ userID: user });
  }

  /** Applies an action as OpenIM would; returns the callback body it posts afterwards, if any. */
  apply(step: OpenImAction): CallbackBody | undefined {
    // OpenIM refuses an action about a user it does not have (one removed, say).
    if (!participants(step).every((userID) => this.model.hasUser(userID))) return undefined;
    try {
      return this.write(step);
    } catch (error) {
      if (error instanceof ApiError) return undefined;
      throw error;
    }
  }

  private write(step: OpenImAction): CallbackBody | undefined {
    const { model } = this;
    switch (step.action) {
      case 'request':
        model.applyToAdd(step.from, step.to);
        return {
          callbackCommand: 'callbackAfterAddFriendCommand',
          fromUserID: step.from,
          toUserID: step.to,
          reqMsg: '',
        };
      case 'agree':
        model.respond(step.applicant, step.accepter, 1);
        return {
          callbackCommand: 'callbackAfterAddFriendAgreeCommand',
          fromUserID: step.applicant,
          blackUserID: step.accepter,
          HandleResult: 1,
          HandleMsg: '',
        };
      case 'import': {
        // As an admin tool asks it: each other user once.
        const friends = [...new Set(step.friends)].filter((friend) => friend !== step.owner);
        if (friends.length === 0) return undefined;
        model.importFriends(step.owner, friends, ADMIN);
        return {
          callbackCommand: 'callbackAfterImportFriendsCommand',
          ownerUserID: step.owner,
          friendUserIDs: friends,
        };
      }
      case 'delete':
        // v3.8+ log and call back a delete even of a row that is not there, as OpenIM does.
        model.deleteFriend(step.owner, step.friend);
        return {
          callbackCommand: 'callbackAfterDeleteFriendCommand',
          ownerUserID: step.owner,
          friendUserID: step.friend,
        };
      case 'remark':
        model.setRemark(step.owner, step.friend, step.remark);
        return {
          callbackCommand: 'callbackAfterSetFriendRemarkCommand',
          ownerUserID: step.owner,
          friendUserID: step.friend,
          remark: step.remark,
        };
      case 'update':
        model.updateFriends(step.owner, [step.friend], { remark: step.remark, isPinned: step.pinned });
        return undefined; // update_friends fires no callback
      case 'block':
        if (step.owner !== step.black) model.blackLists.add(step.owner, step.black, '', step.owner);
        return undefined; // blocking fires no after-callback
      case 'unblock':
        model.blackLists.remove(step.owner, step.black);
        return { callbackCommand: 'callbackAfterRemoveBlackCommand', ownerUserID: step.owner, blackUserID: step.black };
      case 'removeUser':
        model.deleteUser(step.user);
        return undefined;
    }
  }

  /** OpenIM's truth: every owner's friend rows (in list order) and black list, for comparison. */
  lists(): Map<string, { friends: FriendRow[]; blacks: string[] }> {
    return new Map(
      this.model
        .userPage(1, ALL)
        .userIDs.map((owner) => [owner, { friends: this.rowsOf(owner), blacks: this.blackIDs(owner) }]),
    );
  }

  /** The next `count` friend or black list pages of `owner` answer no rows (OpenIM's `null`) with the true total. */
  answerNullPages(owner: string, count: number): void {
    this.nullPages.set(owner, (this.nullPages.get(owner) ?? 0) + count);
  }

  /** `step` happens once, right after page `afterPage` of a read of `owner`'s friend list was served. */
  applyBetweenPages(owner: string, afterPage: number, step: OpenImAction): void {
    this.betweenPages.push({ owner, afterPage, step });
  }

  /** Back to a server without faults. */
  clearFaults(): void {
    this.pageCap = Number.POSITIVE_INFINITY;
    this.nullPages.clear();
    this.betweenPages.length = 0;
  }

  callCount(): number {
    return [...this.calls.values()].reduce((sum, count) => sum + count, 0);
  }

  // The port, as the admin client answers it.

  async userPage(pageNumber: number, pageSize: number) {
    this.count('userPage');
    return this.model.userPage(pageNumber, pageSize);
  }

  async friendListChanges(ownerUserID: string, since: FriendListVersion | undefined): Promise<FriendListChanges> {
    this.count('friendListChanges');
    const answer = this.model.versions.since(ownerUserID, since?.versionID ?? '', since?.version ?? 0);
    const current = { versionID: answer.versionID, version: answer.version };
    if (answer.full) return { kind: 'resync', current };
    const found = (ids: string[]) => this.model.findFriends(ownerUserID, ids).map(rowOf);
    return {
      kind: 'changes',
      current,
      removed: answer.deleteIDs,
      upserted: [...found(answer.insertIDs), ...found(answer.updateIDs)],
    };
  }

  async friendIDs(ownerUserID: string, knownHash?: bigint): Promise<FriendIDs> {
    this.count('friendIDs');
    const listHash = this.model.friendIDsHash(ownerUserID);
    if (knownHash === listHash) return { kind: 'unchanged' };
    return { kind: 'list', userIDs: [...this.model.friendIDs(ownerUserID)], listHash };
  }

  async friendPage(ownerUserID: string, pageNumber: number, pageSize: number): Promise<ListPage<FriendRow>> {
    this.count('friendPage');
    const page = this.servePage(ownerUserID, this.rowsOf(ownerUserID), pageNumber, pageSize);
    for (const [at, pending] of [...this.betweenPages.entries()].reverse()) {
      if (pending.owner !== ownerUserID || pending.afterPage !== pageNumber) continue;
      this.betweenPages.splice(at, 1);
      this.apply(pending.step);
    }
    return page;
  }

  async designatedFriend(ownerUserID: string, friendUserID: string): Promise<FriendRow | undefined> {
    this.count('designatedFriend');
    const [row] = this.model.findFriends(ownerUserID, [friendUserID]);
    return row && rowOf(row);
  }

  async blackPage(ownerUserID: string, pageNumber: number, pageSize: number): Promise<ListPage<string>> {
    this.count('blackPage');
    return this.servePage(ownerUserID, this.blackIDs(ownerUserID), pageNumber, pageSize);
  }

  async specifiedBlack(ownerUserID: string, blackUserID: string): Promise<PairRead> {
    this.count('specifiedBlack');
    if (!this.targetedBlackRead) return 'noTargetedRead';
    return this.model.blackLists.has(ownerUserID, blackUserID) ? 'present' : 'absent';
  }

  private count(method: keyof OpenImDirectory): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  private rowsOf(owner: string): FriendRow[] {
    return this.model.friendRows(owner).map(rowOf);
  }

  private blackIDs(owner: string): string[] {
    return this.model.blackLists.page(owner, 1, ALL).blacks.map((black) => black.blackUserID);
  }

  /** `mongoutil.FindPage` (skip, limit) under the page cap and the `null` pages asked for. */
  private servePage<T>(owner: string, all: T[], pageNumber: number, pageSize: number): ListPage<T> {
    const size = Math.min(pageSize, this.pageCap);
    const nullPages = this.nullPages.get(owner) ?? 0;
    if (nullPages > 0) {
      this.nullPages.set(owner, nullPages - 1);
      return { rows: [], total: all.length };
    }
    const skip = (pageNumber - 1) * size;
    return { rows: all.slice(skip, skip + size), total: all.length };
  }
}

const rowOf = (row: FriendRecord): FriendRow => ({ userID: row.friendUserID, remark: row.remark });

const participants = (step: OpenImAction): string[] => {
  switch (step.action) {
    case 'request':
      return [step.from, step.to];
    case 'agree':
      return [step.applicant, step.accepter];
    case 'import':
      return [step.owner, ...step.friends];
    case 'delete':
    case 'remark':
    case 'update':
      return [step.owner, step.friend];
    case 'block':
    case 'unblock':
      return [step.owner, step.black];
    case 'removeUser':
      return [];
  }
};
