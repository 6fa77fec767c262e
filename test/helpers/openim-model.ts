import type {
  FriendIDs,
  FriendListChanges,
  FriendListVersion,
  FriendRow,
  ListPage,
  OpenImDirectory,
  PairRead,
} from '../../functions/reconciler/openim-directory';

/**
 * A pure model of OpenIM's relation semantics (`/work/shared/openim/ADMIN-API.md`), for tests:
 * two directed rows per friendship, a one-sided delete, a request that writes no row, an accept
 * and an import that write both rows, remarks per direction, black lists independent of
 * friendship, and a per-user version log (created at version 1 by the first read or write, as
 * OpenIM's `FirstVersion`) that answers a resync when asked from no version, an unknown version ID,
 * or after more than 200 changed IDs. Each action returns the callback body OpenIM
 * posts after it (none for blocking and `update_friends`, and none when OpenIM refuses).
 *
 * Lists are served as OpenIM serves them: skip/limit pages in OpenIM's order (friends pinned
 * first, then as added; blacks as added) with the `total` of that moment. Faults a real server
 * or a proxy in front of it can play: a page cap, pages answered `null` with their total, and
 * an action applied between two pages of one read.
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

/** OpenIM's limit of changed IDs in one incremental answer. */
const MAX_CHANGES = 200;

interface Row {
  remark: string;
  pinned: boolean;
}

interface VersionLog {
  versionID: string;
  version: number;
  /** Friend ID -> the version of its last change. */
  changedAt: Map<string, number>;
}

export class OpenImModel implements OpenImDirectory {
  /** Calls per port method, to check what a sweep costs. */
  readonly calls = new Map<keyof OpenImDirectory, number>();
  private readonly users: string[] = [];
  private readonly rows = new Map<string, Map<string, Row>>();
  private readonly blacks = new Map<string, Set<string>>();
  private readonly requests = new Set<string>();
  private readonly logs = new Map<string, VersionLog>();
  private logResets = 0;
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
    if (!this.users.includes(user)) this.users.push(user);
  }

  /** Applies an action as OpenIM would; returns the callback body it posts afterwards, if any. */
  apply(step: OpenImAction): CallbackBody | undefined {
    // OpenIM refuses an action about a user it does not have (one removed, say).
    if (!participants(step).every((userID) => this.users.includes(userID))) return undefined;
    switch (step.action) {
      case 'request': {
        if (step.from === step.to || (this.row(step.from, step.to) && this.row(step.to, step.from))) return undefined;
        this.requests.add(`${step.from}\u0000${step.to}`);
        return {
          callbackCommand: 'callbackAfterAddFriendCommand',
          fromUserID: step.from,
          toUserID: step.to,
          reqMsg: '',
        };
      }
      case 'agree': {
        if (!this.requests.delete(`${step.applicant}\u0000${step.accepter}`)) return undefined;
        this.becomeFriends(step.applicant, [step.accepter]);
        return {
          callbackCommand: 'callbackAfterAddFriendAgreeCommand',
          fromUserID: step.applicant,
          blackUserID: step.accepter,
          HandleResult: 1,
          HandleMsg: '',
        };
      }
      case 'import': {
        const friends = [...new Set(step.friends)].filter((friend) => friend !== step.owner);
        if (friends.length === 0) return undefined;
        this.becomeFriends(step.owner, friends);
        return {
          callbackCommand: 'callbackAfterImportFriendsCommand',
          ownerUserID: step.owner,
          friendUserIDs: friends,
        };
      }
      case 'delete': {
        if (!this.rows.get(step.owner)?.delete(step.friend)) return undefined;
        this.logChange(step.owner, step.friend);
        return {
          callbackCommand: 'callbackAfterDeleteFriendCommand',
          ownerUserID: step.owner,
          friendUserID: step.friend,
        };
      }
      case 'remark': {
        const row = this.row(step.owner, step.friend);
        if (!row) return undefined;
        row.remark = step.remark;
        this.logChange(step.owner, step.friend);
        return {
          callbackCommand: 'callbackAfterSetFriendRemarkCommand',
          ownerUserID: step.owner,
          friendUserID: step.friend,
          remark: step.remark,
        };
      }
      case 'update': {
        const row = this.row(step.owner, step.friend);
        if (!row) return undefined;
        if (step.remark !== undefined) row.remark = step.remark;
        if (step.pinned !== undefined) row.pinned = step.pinned;
        this.logChange(step.owner, step.friend);
        return undefined; // update_friends fires no callback
      }
      case 'block':
        if (step.owner !== step.black) this.blackSet(step.owner).add(step.black);
        return undefined; // blocking fires no after-callback
      case 'unblock':
        this.blacks.get(step.owner)?.delete(step.black);
        return { callbackCommand: 'callbackAfterRemoveBlackCommand', ownerUserID: step.owner, blackUserID: step.black };
      case 'removeUser': {
        const at = this.users.indexOf(step.user);
        if (at >= 0) this.users.splice(at, 1);
        this.rows.delete(step.user);
        this.blacks.delete(step.user);
        this.logs.delete(step.user);
        return undefined;
      }
    }
  }

  /** OpenIM's truth: every owner's friend rows (in list order) and black list, for comparison. */
  lists(): Map<string, { friends: FriendRow[]; blacks: string[] }> {
    const owners = new Set([...this.rows.keys(), ...this.blacks.keys()]);
    return new Map(
      [...owners].map((owner) => [
        owner,
        { friends: this.listRows(owner), blacks: [...(this.blacks.get(owner) ?? [])] },
      ]),
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
    const start = (pageNumber - 1) * pageSize;
    return { userIDs: this.users.slice(start, start + pageSize), total: this.users.length };
  }

  async friendListChanges(ownerUserID: string, since: FriendListVersion | undefined): Promise<FriendListChanges> {
    this.count('friendListChanges');
    const log = this.log(ownerUserID);
    const current = { versionID: log.versionID, version: log.version };
    const known = since !== undefined && since.versionID === log.versionID && since.version > 0;
    if (!known || since.version > log.version) return { kind: 'resync', current };
    const changed = [...log.changedAt].filter(([, version]) => version > since.version).map(([id]) => id);
    if (changed.length > MAX_CHANGES) return { kind: 'resync', current };
    const rows = this.rows.get(ownerUserID) ?? new Map<string, Row>();
    return {
      kind: 'changes',
      current,
      removed: changed.filter((id) => !rows.has(id)),
      upserted: this.listRows(ownerUserID).filter((row) => changed.includes(row.userID)),
    };
  }

  async friendIDs(ownerUserID: string, knownHash?: bigint): Promise<FriendIDs> {
    this.count('friendIDs');
    const userIDs = this.listRows(ownerUserID).map((row) => row.userID);
    const listHash = hashOf(userIDs);
    return knownHash === listHash ? { kind: 'unchanged' } : { kind: 'list', userIDs, listHash };
  }

  async friendPage(ownerUserID: string, pageNumber: number, pageSize: number): Promise<ListPage<FriendRow>> {
    this.count('friendPage');
    const page = this.servePage(ownerUserID, this.listRows(ownerUserID), pageNumber, pageSize);
    for (const [at, pending] of [...this.betweenPages.entries()].reverse()) {
      if (pending.owner !== ownerUserID || pending.afterPage !== pageNumber) continue;
      this.betweenPages.splice(at, 1);
      this.apply(pending.step);
    }
    return page;
  }

  async designatedFriend(ownerUserID: string, friendUserID: string): Promise<FriendRow | undefined> {
    this.count('designatedFriend');
    return this.listRows(ownerUserID).find((row) => row.userID === friendUserID);
  }

  async blackPage(ownerUserID: string, pageNumber: number, pageSize: number): Promise<ListPage<string>> {
    this.count('blackPage');
    return this.servePage(ownerUserID, [...(this.blacks.get(ownerUserID) ?? [])], pageNumber, pageSize);
  }

  async specifiedBlack(ownerUserID: string, blackUserID: string): Promise<PairRead> {
    this.count('specifiedBlack');
    if (!this.targetedBlackRead) return 'noTargetedRead';
    return this.blacks.get(ownerUserID)?.has(blackUserID) ? 'present' : 'absent';
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

  private count(method: keyof OpenImDirectory): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  /** OpenIM's order: pinned first, then as added. */
  private listRows(owner: string): FriendRow[] {
    const rows = [...(this.rows.get(owner) ?? new Map<string, Row>())];
    return [...rows.filter(([, row]) => row.pinned), ...rows.filter(([, row]) => !row.pinned)].map(([userID, row]) => ({
      userID,
      remark: row.remark,
    }));
  }

  private row(owner: string, friend: string): Row | undefined {
    return this.rows.get(owner)?.get(friend);
  }

  /** Both rows of each pair; a row that exists already is kept as it is. */
  private becomeFriends(owner: string, friends: string[]): void {
    for (const friend of friends) {
      for (const [from, to] of [
        [owner, friend],
        [friend, owner],
      ] as const) {
        const rows = this.rows.get(from) ?? new Map<string, Row>();
        this.rows.set(from, rows);
        if (rows.has(to)) continue;
        rows.set(to, { remark: '', pinned: false });
        this.logChange(from, to);
      }
    }
  }

  private blackSet(owner: string): Set<string> {
    const set = this.blacks.get(owner) ?? new Set<string>();
    this.blacks.set(owner, set);
    return set;
  }

  private log(owner: string): VersionLog {
    let log = this.logs.get(owner);
    if (!log) {
      log = { versionID: `v${++this.logResets}`.padStart(24, '0'), version: 1, changedAt: new Map() };
      this.logs.set(owner, log);
    }
    return log;
  }

  private logChange(owner: string, friend: string): void {
    const log = this.log(owner);
    log.version += 1;
    log.changedAt.set(friend, log.version);
  }
}

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

/** Any 64-bit hash of the ordered IDs will do for the model (OpenIM's is MD5-based); [] hashes to 0. */
const hashOf = (userIDs: readonly string[]): bigint => {
  if (userIDs.length === 0) return 0n;
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(JSON.stringify(userIDs))) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
};
