import type { BlacklistReconciledDetail, FriendEvent, FriendshipReconciledDetail } from '../contract/events';

/**
 * The reference subscriber's friend graph: one entry per directed pair (owner -> other), as
 * OpenIM keeps friend lists (each user has their own list; a delete is one-way).
 *
 * An entry holds three independent registers, each last-writer-wins by the version of the change
 * that set it (`receivedAt`, then `idempotencyKey` to break ties):
 * - `state`: `requested` (owner sent other a request), `friends`, `removed` (owner deleted other);
 * - `remark`: what owner shows for other ("" after a delete, which drops OpenIM's friend record);
 * - `blacklist`: `blocked` or `none`. No callback reports blocking: only the reconciler's
 *   `BlacklistReconciled` says `blocked` (an unblock callback says `none`); absent means unknown.
 * Registers being independent is what makes the result the same in any delivery order: a late
 * old remark cannot undo a newer delete's clearing, and vice versa.
 */
export type FriendshipState = 'requested' | 'friends' | 'removed';

export type PairChange = {
  ownerUserID: string;
  otherUserID: string;
  /** Orders changes of one register: `<receivedAt ISO-8601 UTC>#<idempotencyKey>`, compared as strings. */
  version: string;
} & (
  | { register: 'state'; value: FriendshipState }
  | { register: 'remark'; value: string }
  | { register: 'blacklist'; value: 'blocked' | 'none' }
);

/** The store the graph lives in (DynamoDB when deployed). */
export interface FriendGraphStore {
  /**
   * Sets the change's register unless the stored version of that register is the same or newer
   * (a duplicate, or an older change delivered late). Resolves to whether it was set.
   */
  apply(change: PairChange): Promise<boolean>;
}

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
  const state = (ownerUserID: string, otherUserID: string, value: FriendshipState): PairChange => ({
    ownerUserID,
    otherUserID,
    version,
    register: 'state',
    value,
  });
  const { detail } = event;
  if (!('callbackCommand' in detail)) return reconciledChanges(detail, version);
  switch (detail.callbackCommand) {
    case 'callbackAfterAddFriendCommand':
      return [state(detail.fromUserID, detail.toUserID, 'requested')];
    case 'callbackAfterAddFriendAgreeCommand':
      return [
        state(detail.fromUserID, detail.toUserID, 'friends'),
        state(detail.toUserID, detail.fromUserID, 'friends'),
      ];
    case 'callbackAfterImportFriendsCommand':
      // OpenIM's import writes both friend records (the owner's and each friend's), like an accept.
      return detail.friendUserIDs.flatMap((friend) => [
        state(detail.ownerUserID, friend, 'friends'),
        state(friend, detail.ownerUserID, 'friends'),
      ]);
    case 'callbackAfterDeleteFriendCommand':
      return [
        state(detail.ownerUserID, detail.friendUserID, 'removed'),
        { ownerUserID: detail.ownerUserID, otherUserID: detail.friendUserID, version, register: 'remark', value: '' },
      ];
    case 'callbackAfterSetFriendRemarkCommand':
    case 'callbackAfterSetFriendRemark':
      return [
        {
          ownerUserID: detail.ownerUserID,
          otherUserID: detail.friendUserID,
          version,
          register: 'remark',
          value: detail.remark,
        },
      ];
    case 'callbackAfterRemoveBlackCommand':
      return [
        {
          ownerUserID: detail.ownerUserID,
          otherUserID: detail.blackUserID,
          version,
          register: 'blacklist',
          value: 'none',
        },
      ];
  }
};

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
export const applyEvent = async (
  event: FriendEvent,
  store: FriendGraphStore,
  concurrency = 16,
): Promise<ApplyResult> => {
  const changes = changesOf(event);
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
