/**
 * What can go wrong on purpose, for tests and for a person trying things: for the next N requests
 * of a route, an OpenIM error (HTTP 200 with errCode), a bare HTTP status (a 500 after a panic),
 * or a delay; and main's optional rate limiter (429 with Retry-After; off by default, as on main).
 */
export type StandInFault =
  | { errCode: number; errMsg?: string; errDlt?: string }
  | { status: number; retryAfter?: string }
  | { delayMs: number };

export class StandInFaults {
  private readonly queued = new Map<string, StandInFault[]>();
  /** Faults of the paged lists, per owner. */
  readonly lists = new ListFaults();

  /** The next `times` requests of `route` (e.g. `/friend/get_friend_list`) meet `fault`. */
  next(route: string, fault: StandInFault, times = 1): void {
    const list = this.queued.get(route) ?? [];
    list.push(...Array<StandInFault>(times).fill(fault));
    this.queued.set(route, list);
  }

  take(route: string): StandInFault | undefined {
    return this.queued.get(route)?.shift();
  }

  clear(): void {
    this.queued.clear();
    this.lists.clear();
  }
}

/** Reads `{"route","errCode"|"status"|"delayMs","times"}` from the control endpoint. */
export const parseFaultRequest = (json: unknown): { route: string; fault: StandInFault; times: number } | string => {
  if (typeof json !== 'object' || json === null) return 'expected a JSON object';
  const { route, errCode, errMsg, errDlt, status, delayMs, times = 1 } = json as Record<string, unknown>;
  if (typeof route !== 'string' || !route.startsWith('/'))
    return 'route must be a path such as /friend/get_friend_list';
  if (!Number.isSafeInteger(times) || (times as number) < 1) return 'times must be a whole number of at least 1';
  const whole = (value: unknown, min: number, max: number) =>
    Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
  if (errCode !== undefined) {
    if (!whole(errCode, 1, 2 ** 31 - 1)) return 'errCode must be a whole number above 0';
    const fault = { errCode: errCode as number, errMsg: String(errMsg ?? ''), errDlt: String(errDlt ?? 'injected') };
    return { route, fault, times: times as number };
  }
  if (status !== undefined) {
    if (!whole(status, 400, 599)) return 'status must be an HTTP error status (400 to 599)';
    const retryAfter = (json as Record<string, unknown>).retryAfter;
    const fault =
      retryAfter === undefined
        ? { status: status as number }
        : { status: status as number, retryAfter: String(retryAfter) };
    return { route, fault, times: times as number };
  }
  if (!whole(delayMs, 1, 600_000)) return 'give errCode, status, or delayMs (1 to 600000)';
  return { route, fault: { delayMs: delayMs as number }, times: times as number };
};

/** At most `callsPerSecond` requests in each second of the clock; the rest get 429. */
export class RateLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private served = 0;

  constructor(
    private readonly limit: { callsPerSecond: number; retryAfterSeconds: number },
    private readonly now: () => number,
  ) {}

  /** Undefined when the request may pass, else the Retry-After header value. */
  refuse(): string | undefined {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.windowStart) {
      this.windowStart = second;
      this.served = 0;
    }
    if (this.served < this.limit.callsPerSecond) {
      this.served++;
      return undefined;
    }
    return String(this.limit.retryAfterSeconds);
  }
}

/**
 * Faults of OpenIM's paged lists (get_friend_list, get_black_list), per owner, as a reader meets
 * them: a proxy or fork that caps page sizes, a page answered `null` with its true `total`, and a
 * friend deleted (as by delete_friend, callback included) right after a page was served, which
 * shifts every later row up by one.
 */
export class ListFaults {
  private readonly caps = new Map<string, number>();
  private readonly nullPages = new Map<string, number>();
  private readonly deletes: { owner: string; friend: string; afterPage: number }[] = [];

  capRows(owner: string, rows: number): void {
    this.caps.set(owner, rows);
  }

  answerNullPages(owner: string, pages: number): void {
    this.nullPages.set(owner, (this.nullPages.get(owner) ?? 0) + pages);
  }

  deleteAfterPage(owner: string, friend: string, afterPage: number): void {
    this.deletes.push({ owner, friend, afterPage });
  }

  /** The page size served for `asked`: the cap rewrites `showNumber`, as a proxy would. */
  servedSize(owner: string, asked: number): number {
    return Math.min(asked, this.caps.get(owner) ?? asked);
  }

  /** Whether this page answers `null` rows (the count goes down by one). */
  takeNullPage(owner: string): boolean {
    const left = this.nullPages.get(owner) ?? 0;
    if (left === 0) return false;
    this.nullPages.set(owner, left - 1);
    return true;
  }

  /** The friends to delete now that page `pageNumber` of `owner`'s friend list was served (each once). */
  takeDeletes(owner: string, pageNumber: number): string[] {
    const due = this.deletes.filter((entry) => entry.owner === owner && entry.afterPage === pageNumber);
    for (const entry of due) this.deletes.splice(this.deletes.indexOf(entry), 1);
    return due.map((entry) => entry.friend);
  }

  clear(): void {
    this.caps.clear();
    this.nullPages.clear();
    this.deletes.length = 0;
  }
}

/** Reads `{"ownerUserID", "capRows"|"nullPages"|("deleteFriendUserID","afterPage")}` from the control endpoint. */
export const applyListFault = (lists: ListFaults, json: unknown): string | undefined => {
  if (typeof json !== 'object' || json === null) return 'expected a JSON object';
  const { ownerUserID, capRows, nullPages, deleteFriendUserID, afterPage } = json as Record<string, unknown>;
  const whole = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 1;
  if (typeof ownerUserID !== 'string' || ownerUserID === '') return 'ownerUserID must be a user ID';
  if (capRows !== undefined) {
    if (!whole(capRows)) return 'capRows must be a whole number of at least 1';
    lists.capRows(ownerUserID, capRows as number);
  } else if (nullPages !== undefined) {
    if (!whole(nullPages)) return 'nullPages must be a whole number of at least 1';
    lists.answerNullPages(ownerUserID, nullPages as number);
  } else if (deleteFriendUserID !== undefined) {
    if (typeof deleteFriendUserID !== 'string' || !whole(afterPage)) {
      return 'deleteFriendUserID must be a user ID and afterPage a whole number of at least 1';
    }
    lists.deleteAfterPage(ownerUserID, deleteFriendUserID, afterPage as number);
  } else {
    return 'give capRows, nullPages, or deleteFriendUserID with afterPage';
  }
  return undefined;
};
