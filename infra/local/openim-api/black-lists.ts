import { errInternal, userNotFound } from './api-error';
import { page } from './page';

/**
 * OpenIM's black lists (`rpc/relation/black.go`, `mgo/black.go`): one-directional entries,
 * independent of friendship, kept in insertion order (read with no sort).
 */
export interface BlackRecord {
  blackUserID: string;
  ex: string;
  addSource: number;
  operatorUserID: string;
  /** Seconds. */
  createTime: number;
}

export class BlackLists {
  private readonly blacks = new Map<string, Map<string, BlackRecord>>();

  constructor(
    private readonly users: { hasUser(userID: string): boolean },
    private readonly seconds: () => number,
  ) {}

  /** get_black_list: skip/limit in insertion order, no sort. */
  page(owner: string, pageNumber: number, showNumber: number): { total: number; blacks: BlackRecord[] } {
    const all = [...(this.blacks.get(owner)?.values() ?? [])];
    return { total: all.length, blacks: page(all, pageNumber, showNumber) };
  }

  /** `FindBlackInfos` for one ID. */
  entry(owner: string, black: string): BlackRecord | undefined {
    return this.blacks.get(owner)?.get(black);
  }

  has(owner: string, black: string): boolean {
    return this.blacks.get(owner)?.has(black) ?? false;
  }

  /** `/friend/add_black`: a second add of the same pair breaks OpenIM's unique index (500). */
  add(owner: string, black: string, ex: string, operator: string, addSource = 0): void {
    if (!this.users.hasUser(owner) || !this.users.hasUser(black)) throw userNotFound();
    let list = this.blacks.get(owner);
    if (!list) {
      list = new Map();
      this.blacks.set(owner, list);
    }
    if (list.has(black)) throw errInternal('E11000 duplicate key error collection: openim_v3.black');
    list.set(black, { blackUserID: black, ex, addSource, operatorUserID: operator, createTime: this.seconds() });
  }

  /** `/friend/remove_black`: no error when absent. */
  remove(owner: string, black: string): void {
    this.blacks.get(owner)?.delete(black);
  }

  /** A vanished user: their list, and every entry naming them. */
  forget(userID: string): void {
    this.blacks.delete(userID);
    for (const list of this.blacks.values()) list.delete(userID);
  }
}
