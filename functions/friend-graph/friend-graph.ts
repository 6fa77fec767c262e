import type {
  BlacklistReconciledDetail,
  FriendEvent,
  FriendListSnapshotDetail,
  FriendshipReconciledDetail,
} from '../contract/events';

/**
 * The reference subscriber's friend graph: one entry per directed pair (owner -> other), as
 * OpenIM keeps its relations (each user has their own friend row for the other; a delete is
 * one-way; a request changes no friend row; docs/design.md has the table, callback by callback).
 *
 * An entry holds four independent registers, each last-writer-wins by the version of the change
 * that set it (`receivedAt`, then `idempotencyKey` to break ties):
 * - `state`: owner's friend row for other: `friends` (it exists) or `removed` (owner deleted it);
 * - `request`: owner's friend request to other: `pending`, or `none` once answered (accepted);
 * - `remark`: the remark on owner's row ("" after a delete, which drops OpenIM's row);
 * - `blacklist`: `blocked` or `none`. No callback reports blocking: only the reconciler's
 *   `BlacklistReconciled` says `blocked` (an unblock callback says `none`); absent means unknown.
 * Registers being independent is what makes the result the same in any delivery order: a late
 * old remark cannot undo a newer delete's clearing, and a request never touches the friend row.
 */
export type FriendRowState = 'friends' | 'removed';
export type RequestState = 'pending' | 'none';

/** One register and the value a change sets it to. */
export type RegisterValue =
  | { register: 'state'; value: FriendRowState }
  | { register: 'request'; value: RequestState }
  | { register: 'remark'; value: string }
  | { register: 'blacklist'; value: 'blocked' | 'none' };

export type PairChange = {
  ownerUserID: string;
  otherUserID: string;
  /** Orders changes of one register: `<receivedAt ISO-8601 UTC>#<idempotencyKey>`, compared as strings. */
  version: string;
} & RegisterValue;

/** The store the graph lives in (DynamoDB when deployed). */
export interface FriendGraphStore {
  /**
   * Sets the change's register unless the stored version of that register is the same or newer
   * (a duplicate, or an older change delivered late). Resolves to whether it was set.
   */
  apply(change: PairChange): Promise<boolean>;
  /**
   * The other users of `ownerUserID`'s stored pairs within `covers` (whatever their registers):
   * a snapshot part says which of them are no longer friends or blocked by leaving them out.
   */
  storedOthers(ownerUserID: string, covers: SnapshotRange): Promise<string[]>;
}

/** The user IDs a snapshot part speaks for (`FriendListSnapshotDetail.covers`). */
export type SnapshotRange = FriendListSnapshotDetail['covers'];

/** Whether `userID` is in the range, in UTF-16 code unit order (JavaScript's `<`), as the contract defines it. */
export const inRange = (userID: string, covers: SnapshotRange): boolean =>
  covers.from <= userID && (covers.to === undefined || userID < covers.to);

/**
 * The version of an event's changes. `receivedAt` is normalized so that strings compare as
 * times; the idempotency key makes two changes received in the same millisecond ordered the same
 * way everywhere, and makes a redelivery (same key, same time) a no-op.
 */
export const changeVersion = (receivedAt: string, idempotencyKey: string): string =>
  `${new Date(receivedAt).toISOString()}#${idempotencyKey}`;

/** The pair changes an event means (every part of a split import is an event of its own). */
export const changesOf = (event: FriendEvent): PairChange[] => {
  const version = changeVersion(event.detail.receivedAt, event.detail.idempotencyKey);
  const change = (ownerUserID: string, otherUserID: string, set: RegisterValue): PairChange => ({
    ownerUserID,
    otherUserID,
    version,
    ...set,
  });
  const friendRow = (owner: string, other: string) => change(owner, other, { register: 'state', value: 'friends' });
  const { detail } = event;
  if (!('callbackCommand' in detail)) return reconciledChanges(detail, version);
  switch (detail.callbackCommand) {
    case 'callbackAfterAddFriendCommand':
      // OpenIM stores the request only; an existing friend row of either side stays as it is.
      return [change(detail.fromUserID, detail.toUserID, { register: 'request', value: 'pending' })];
    case 'callbackAfterAddFriendAgreeCommand':
      // OpenIM answers the request (and the reverse one, if pending) and creates each missing row;
      // an existing row keeps its remark, so the remark register is left alone.
      return [
        friendRow(detail.fromUserID, detail.toUserID),
        friendRow(detail.toUserID, detail.fromUserID),
        change(detail.fromUserID, detail.toUserID, { register: 'request', value: 'none' }),
        change(detail.toUserID, detail.fromUserID, { register: 'request', value: 'none' }),
      ];
    case 'callbackAfterImportFriendsCommand':
      // OpenIM's import writes both rows (the owner's and each friend's) where missing; requests untouched.
      return detail.friendUserIDs.flatMap((friend) => [
        friendRow(detail.ownerUserID, friend),
        friendRow(friend, detail.ownerUserID),
      ]);
    case 'callbackAfterDeleteFriendCommand':
      return [
        change(detail.ownerUserID, detail.friendUserID, { register: 'state', value: 'removed' }),
        change(detail.ownerUserID, detail.friendUserID, { register: 'remark', value: '' }),
      ];
    case 'callbackAfterSetFriendRemarkCommand':
    case 'callbackAfterSetFriendRemark':
      return [change(detail.ownerUserID, detail.friendUserID, { register: 'remark', value: detail.remark })];
    case 'callbackAfterRemoveBlackCommand':
      return [change(detail.ownerUserID, detail.blackUserID, { register: 'blacklist', value: 'none' })];
  }
};

/** What a stored entry says about the pair, as OpenIM would: its registers' values as stored. */
export interface PairView {
  /** Owner has a friend row for other (OpenIM lists other among owner's friends). */
  friendRow: boolean;
  /** Owner's friend request to other waits for an answer. */
  requestPending: boolean;
  /** The remark on owner's row ("" when none, or unknown). */
  remark: string;
  /** `blocked` or `none` as last reported; undefined: unknown (no callback reports a block). */
  blacklist: 'blocked' | 'none' | undefined;
}

/**
 * Reads a stored entry. Entries written before the request had a register of its own hold
 * `state: requested` (the request overwrote the state): read as "no friend row, request pending"
 * until a later change sets either register.
 */
export const readPair = (item: Record<string, unknown>): PairView => ({
  friendRow: item.state === 'friends',
  requestPending: item.request === undefined ? item.state === 'requested' : item.request === 'pending',
  remark: typeof item.remark === 'string' ? item.remark : '',
  blacklist: item.blacklist === 'blocked' || item.blacklist === 'none' ? item.blacklist : undefined,
});

/**
 * A repair states what OpenIM's list holds, so it sets the registers as the callbacks would have:
 * a friend row with its remark, or no row (state `removed`, remark ""), or the blacklist entry.
 */
const reconciledChanges = (
  detail: FriendshipReconciledDetail | BlacklistReconciledDetail,
  version: string,
): PairChange[] => {
  if ('blackUserID' in detail) {
    const value = detail.present ? 'blocked' : 'none';
    return [
      { ownerUserID: detail.ownerUserID, otherUserID: detail.blackUserID, version, register: 'blacklist', value },
    ];
  }
  const pair = { ownerUserID: detail.ownerUserID, otherUserID: detail.friendUserID, version };
  return [
    { ...pair, register: 'state', value: detail.present ? 'friends' : 'removed' },
    { ...pair, register: 'remark', value: detail.present ? detail.remark : '' },
  ];
};

/**
 * What a snapshot part means for the pairs it covers, as one repair per pair would: each listed
 * friend a friend row with its remark, each other stored pair in the range no row (state
 * `removed`, remark ""); each listed black `blocked`, each other stored pair `none`. Versioned
 * like a repair (`receivedAt` = `observedAt`), so a callback received after the read keeps its
 * newer registers, and the part overrides everything received before it. A pair neither listed
 * nor stored needs no write: absent already reads as not friends and not blocked.
 */
export const snapshotChanges = (detail: FriendListSnapshotDetail, storedOthers: Iterable<string>): PairChange[] => {
  const version = changeVersion(detail.receivedAt, detail.idempotencyKey);
  const pair = (otherUserID: string) => ({ ownerUserID: detail.ownerUserID, otherUserID, version });
  const friends = new Map(detail.friends.map((friend) => [friend.friendUserID, friend.remark]));
  const blocked = new Set(detail.blackUserIDs);
  const others = new Set([...friends.keys(), ...blocked, ...storedOthers]);
  return [...others]
    .filter((other) => inRange(other, detail.covers))
    .sort()
    .flatMap((other): PairChange[] => {
      const remark = friends.get(other);
      return [
        { ...pair(other), register: 'state', value: remark === undefined ? 'removed' : 'friends' },
        { ...pair(other), register: 'remark', value: remark ?? '' },
        { ...pair(other), register: 'blacklist', value: blocked.has(other) ? 'blocked' : 'none' },
      ];
    });
};

/**
 * Why a snapshot part cannot be applied as the contract defines it, or undefined when it can:
 * checked before any write, so a malformed part changes nothing (retrying cannot mend it).
 */
export const snapshotPartProblem = (detail: FriendListSnapshotDetail): string | undefined => {
  const { covers, friends, blackUserIDs } = detail;
  if (typeof detail.ownerUserID !== 'string' || detail.ownerUserID === '') return 'ownerUserID is not a user ID';
  if (Number.isNaN(Date.parse(detail.receivedAt)) || typeof detail.idempotencyKey !== 'string') {
    return 'receivedAt or idempotencyKey is missing';
  }
  if (typeof covers !== 'object' || covers === null || typeof covers.from !== 'string') return 'covers.from is missing';
  if (covers.to !== undefined && (typeof covers.to !== 'string' || covers.to <= covers.from)) {
    return 'covers.to is not after covers.from';
  }
  if (!Array.isArray(friends) || !Array.isArray(blackUserIDs)) return 'friends or blackUserIDs is not a list';
  const wellFormed = (friend: unknown) =>
    typeof friend === 'object' &&
    friend !== null &&
    typeof (friend as Record<string, unknown>).friendUserID === 'string' &&
    typeof (friend as Record<string, unknown>).remark === 'string';
  if (!friends.every(wellFormed)) return 'a friend has no friendUserID or remark';
  if (!blackUserIDs.every((userID) => typeof userID === 'string')) return 'blackUserIDs holds something not a user ID';
  const outside = [...friends.map((friend) => friend.friendUserID), ...blackUserIDs].find(
    (userID) => !inRange(userID, covers),
  );
  return outside === undefined ? undefined : `it lists ${JSON.stringify(outside)}, outside its covers range`;
};

export interface ApplyResult {
  applied: number;
  /** Duplicates and changes older than what the store holds. */
  ignored: number;
}

/**
 * Applies an event's changes, `concurrency` writes at a time (an import part can hold thousands
 * of IDs). A failure rejects: the event is then retried as a whole, which is safe because
 * applying a change twice is a no-op.
 */
export const applyEvent = (event: FriendEvent, store: FriendGraphStore, concurrency = 16): Promise<ApplyResult> =>
  applyChanges(changesOf(event), store, concurrency);

/**
 * Applies a snapshot part (one that `snapshotPartProblem` passed): reads the owner's stored pairs in
 * its range, then writes every pair's registers as `snapshotChanges` says. Safe to retry whole and
 * in any order with the other parts and with live events: every write is last-writer-wins.
 */
export const applySnapshotPart = async (
  detail: FriendListSnapshotDetail,
  store: FriendGraphStore,
  concurrency = 16,
): Promise<ApplyResult> =>
  applyChanges(
    snapshotChanges(detail, await store.storedOthers(detail.ownerUserID, detail.covers)),
    store,
    concurrency,
  );

const applyChanges = async (
  changes: readonly PairChange[],
  store: FriendGraphStore,
  concurrency: number,
): Promise<ApplyResult> => {
  const result: ApplyResult = { applied: 0, ignored: 0 };
  let next = 0;
  const worker = async () => {
    for (let change = changes[next++]; change !== undefined; change = changes[next++]) {
      if (await store.apply(change)) result.applied++;
      else result.ignored++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, changes.length) }, worker));
  return result;
};
