/**
 * The public event contract: what subscribers of the bus receive.
 *
 * This module has no imports and no runtime dependencies, so a subscriber's Lambda can
 * `import type { AfterAddFriendAgreeEvent } from '.../functions/contract/events'` without pulling in the
 * handler, the AWS SDK or the CDK.
 */

/** Bumped only for a breaking change; within a version, fields are only ever added. */
export const EVENT_SCHEMA_VERSION = 1;

/** Default `source` of every event (the stack's `eventSource` property can change it). */
export const DEFAULT_EVENT_SOURCE = 'openim';

/** One `detail-type` per OpenIM callback, named after OpenIM's own config keys. */
export const CALLBACK_DETAIL_TYPES = [
  'AfterAddFriend',
  'AfterAddFriendAgree',
  'AfterImportFriends',
  'AfterDeleteFriend',
  'AfterSetFriendRemark',
  'AfterRemoveBlack',
] as const;
export type CallbackDetailType = (typeof CALLBACK_DETAIL_TYPES)[number];

/** What the reconciler publishes when OpenIM's lists differ from what subscribers were told. */
export const RECONCILED_DETAIL_TYPES = ['FriendshipReconciled', 'BlacklistReconciled'] as const;
export type ReconciledDetailType = (typeof RECONCILED_DETAIL_TYPES)[number];

/** Every friend event on the bus: the callbacks, then the reconciler's repairs. */
export const FRIEND_DETAIL_TYPES = [...CALLBACK_DETAIL_TYPES, ...RECONCILED_DETAIL_TYPES] as const;
export type FriendDetailType = (typeof FRIEND_DETAIL_TYPES)[number];

/** Detail fields that can hold a safe form of what OpenIM sent instead of the value itself. */
export const ALTERED_FIELDS = ['operationID', 'reqMsg', 'handleMsg', 'remark'] as const;
export type AlteredField = (typeof ALTERED_FIELDS)[number];

interface DetailBase {
  schemaVersion: typeof EVENT_SCHEMA_VERSION;
  /**
   * OpenIM's trace id (the `operationID` header), "" when the server sent none (always "" from the
   * reconciler). A header longer than 256 bytes or holding control characters, lone surrogates or
   * U+FFFE/U+FFFF is not refused: it arrives in a safe form (those characters as `\uXXXX`,
   * backslashes doubled, cut to 256 bytes on a character boundary) and `alteredFields` lists
   * `operationID`.
   */
  operationID: string;
  /** When the callback was received (for a repair: when OpenIM's list was read), ISO-8601 UTC. */
  receivedAt: string;
  /**
   * One per OpenIM delivery (one HTTP request; OpenIM never retries one): hex SHA-256 of the
   * command, API Gateway's request id and the receipt time; import parts add `:<part>`. Every copy
   * of this event carries it (EventBridge's at-least-once delivery, the retry drainer's re-publish,
   * a redrive, an archive replay): de-duplicate on it. Two separate actions never share it, even
   * with the same content and operationID. For a repair: a hash of the sweep, the read time
   * (`observedAt`) and the repair, the same on every copy of that repair; the same fact stated
   * again by a later read (of this sweep or another) has a new key.
   */
  idempotencyKey: string;
  /**
   * Present only when a field holds a safe form of what OpenIM sent rather than the value itself:
   * the names of those fields. `operationID`: escaped and/or cut (see above); `reqMsg`,
   * `handleMsg`, `remark`: longer than 16 KiB, cut to their first 16 KiB on a character boundary
   * (read the full remark from OpenIM if you need it); in a `FriendshipReconciled`, the remark on
   * OpenIM's list was longer. Absent in events from before this field.
   */
  alteredFields?: AlteredField[];
}

interface FriendDetailBase<Command extends string> extends DetailBase {
  /** The OpenIM command, verbatim. */
  callbackCommand: Command;
  /**
   * Present, and `true`, only on test traffic: a callback sent by `npm run send` (a request with
   * the header `x-openim-friend-events-synthetic: 1`, which OpenIM itself never sends). Absent on
   * every real callback and every repair. `friendEventPattern()` and the construct's subscribe
   * helpers leave such events out unless asked (`includeSynthetic`); in a pattern of your own,
   * `"detail": { "synthetic": [{ "exists": false }] }` keeps only real ones. Absent in events from
   * before this field.
   */
  synthetic?: true;
}

/**
 * A repair: what OpenIM's own list said when the reconciler read it. `receivedAt` equals
 * `observedAt`, so ordering by `receivedAt` lets a callback received after the read win, and the
 * repair win over everything received before it.
 */
interface ReconciledDetailBase extends DetailBase {
  /** When OpenIM's list was read, ISO-8601 UTC. */
  observedAt: string;
}

/** A friend request was sent (no friendship yet). */
export interface AfterAddFriendDetail extends FriendDetailBase<'callbackAfterAddFriendCommand'> {
  /** The applicant. */
  fromUserID: string;
  /** The recipient of the request. */
  toUserID: string;
  /** The request message ("" when none). */
  reqMsg: string;
}

/** A friend request was accepted: the two users are now friends. */
export interface AfterAddFriendAgreeDetail extends FriendDetailBase<'callbackAfterAddFriendAgreeCommand'> {
  /** The applicant. */
  fromUserID: string;
  /** The user who accepted (OpenIM sends it as `blackUserID`). */
  toUserID: string;
  /** OpenIM's handle result: 1 (accepted). */
  handleResult: number;
  /** The message given when accepting ("" when none). */
  handleMsg: string;
}

/** An admin import made `ownerUserID` friends with every ID in `friendUserIDs`. */
export interface AfterImportFriendsDetail extends FriendDetailBase<'callbackAfterImportFriendsCommand'> {
  ownerUserID: string;
  /** The new friends (`[]` when OpenIM sent `null`). */
  friendUserIDs: string[];
  /** 1-based part number: a large import is split to fit EventBridge's entry size. */
  part: number;
  /** How many parts this import was split into (1 when it fit in one event). */
  parts: number;
}

/** `ownerUserID` removed `friendUserID` from their own list. One-way: the other side's entry may remain. */
export interface AfterDeleteFriendDetail extends FriendDetailBase<'callbackAfterDeleteFriendCommand'> {
  ownerUserID: string;
  friendUserID: string;
}

/** `ownerUserID` set the remark they show for `friendUserID`. */
export interface AfterSetFriendRemarkDetail
  extends FriendDetailBase<'callbackAfterSetFriendRemarkCommand' | 'callbackAfterSetFriendRemark'> {
  ownerUserID: string;
  friendUserID: string;
  /** The new remark ("" when cleared). */
  remark: string;
}

/** `ownerUserID` took `blackUserID` off their blacklist (OpenIM also sends it when they were not on it). */
export interface AfterRemoveBlackDetail extends FriendDetailBase<'callbackAfterRemoveBlackCommand'> {
  ownerUserID: string;
  blackUserID: string;
}

/** OpenIM's list says whether the directed edge owner -> friend exists, and with which remark. */
export interface FriendshipReconciledDetail extends ReconciledDetailBase {
  ownerUserID: string;
  friendUserID: string;
  /** Whether `friendUserID` is on `ownerUserID`'s friend list (one direction only). */
  present: boolean;
  /** The remark owner shows for friend ("" when never set, and when not present). */
  remark: string;
}

/** OpenIM's black list says whether owner blocks black. */
export interface BlacklistReconciledDetail extends ReconciledDetailBase {
  ownerUserID: string;
  blackUserID: string;
  /** Whether `blackUserID` is on `ownerUserID`'s black list. */
  present: boolean;
}

/**
 * A snapshot: OpenIM's whole lists, addressed to one subscriber that asked for them (`npm run
 * snapshot -- --for <name>`). Not friend events: no default pattern or subscribe helper matches
 * them; `friendEventPattern({ snapshotsFor: '<name>' })` adds the ones addressed to that name.
 */
export const SNAPSHOT_DETAIL_TYPES = ['FriendListSnapshot', 'FriendSnapshotCompleted'] as const;
export type SnapshotDetailType = (typeof SNAPSHOT_DETAIL_TYPES)[number];

/** Which snapshot an event belongs to, and the subscriber it is addressed to. */
export interface SnapshotAddress {
  /** One per snapshot run (the state machine's execution). */
  id: string;
  /** The subscriber's name as given to `--for` (`friend-graph` is the reference graph). */
  for: string;
}

/** One row of an owner's friend list in a snapshot, as a callback would carry it. */
export interface SnapshotFriend {
  friendUserID: string;
  /** The remark owner shows for friend ("" when never set); longer than 16 KiB: its first 16 KiB. */
  remark: string;
  /** `['remark']` when the remark was cut to 16 KiB; absent otherwise. */
  alteredFields?: ['remark'];
}

/**
 * Part `part` of `parts` of one owner's lists as OpenIM held them at `observedAt`. Each part speaks
 * for the other users in its `covers` range, so it can be applied alone, in any order: for every
 * user in that range, the pair is a friend row with that remark if and only if it is in `friends`,
 * and blocked if and only if it is in `blackUserIDs`, except where the subscriber holds a change
 * received after `observedAt` (last writer wins, as for repairs). The parts of one owner cover
 * every user ID between them, without overlap.
 */
export interface FriendListSnapshotDetail extends ReconciledDetailBase {
  snapshot: SnapshotAddress;
  ownerUserID: string;
  /** The user IDs this part speaks for: `from <= id` and, when `to` is present, `id < to` (UTF-16 code unit order, JavaScript's `<`). */
  covers: { from: string; to?: string };
  /** Sorted by `friendUserID`. */
  friends: SnapshotFriend[];
  /** Sorted. */
  blackUserIDs: string[];
  /** 1-based; a list larger than 200 KiB of detail is split. */
  part: number;
  parts: number;
}

/** Published after every part of the snapshot is on the bus: the snapshot is whole. */
export interface FriendSnapshotCompletedDetail {
  schemaVersion: typeof EVENT_SCHEMA_VERSION;
  snapshot: SnapshotAddress;
  /** One per snapshot run: a completion published again (a retried finish step) carries the same key. */
  idempotencyKey: string;
  /** Owners whose lists were sent. */
  users: number;
  friendRows: number;
  blackRows: number;
  /**
   * Owners whose lists OpenIM could not answer consistently during the snapshot (they changed while
   * read, every try): no part was sent for them; ask again for these with `--user`.
   */
  unreadableUserIDs: string[];
  startedAt: string;
  completedAt: string;
}

export interface SnapshotDetailByType {
  FriendListSnapshot: FriendListSnapshotDetail;
  FriendSnapshotCompleted: FriendSnapshotCompletedDetail;
}

/** A snapshot event as the addressed subscriber receives it. */
export interface SnapshotEvent<T extends SnapshotDetailType = SnapshotDetailType>
  extends Omit<FriendEvent, 'detail-type' | 'detail'> {
  'detail-type': T;
  detail: SnapshotDetailByType[T];
}

export type FriendListSnapshotEvent = SnapshotEvent<'FriendListSnapshot'>;
export type FriendSnapshotCompletedEvent = SnapshotEvent<'FriendSnapshotCompleted'>;

export interface FriendDetailByType {
  AfterAddFriend: AfterAddFriendDetail;
  AfterAddFriendAgree: AfterAddFriendAgreeDetail;
  AfterImportFriends: AfterImportFriendsDetail;
  AfterDeleteFriend: AfterDeleteFriendDetail;
  AfterSetFriendRemark: AfterSetFriendRemarkDetail;
  AfterRemoveBlack: AfterRemoveBlackDetail;
  FriendshipReconciled: FriendshipReconciledDetail;
  BlacklistReconciled: BlacklistReconciledDetail;
}

export type FriendEventDetail = FriendDetailByType[FriendDetailType];

/** The EventBridge envelope a subscriber's Lambda receives. */
export interface FriendEvent<T extends FriendDetailType = FriendDetailType> {
  version: string;
  id: string;
  'detail-type': T;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: FriendDetailByType[T];
}

export type AfterAddFriendEvent = FriendEvent<'AfterAddFriend'>;
export type AfterAddFriendAgreeEvent = FriendEvent<'AfterAddFriendAgree'>;
export type AfterImportFriendsEvent = FriendEvent<'AfterImportFriends'>;
export type AfterDeleteFriendEvent = FriendEvent<'AfterDeleteFriend'>;
export type AfterSetFriendRemarkEvent = FriendEvent<'AfterSetFriendRemark'>;
export type AfterRemoveBlackEvent = FriendEvent<'AfterRemoveBlack'>;
export type FriendshipReconciledEvent = FriendEvent<'FriendshipReconciled'>;
export type BlacklistReconciledEvent = FriendEvent<'BlacklistReconciled'>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Narrows an incoming EventBridge event to one of ours by its detail-type and schema version.
 * (It does not re-validate every field: the bus only takes these from the callback function and
 * the reconciler, which made them; the JSON Schemas in `functions/contract/schemas/` do the full check.)
 */
export const isFriendEvent = (event: unknown): event is FriendEvent =>
  isObject(event) &&
  (FRIEND_DETAIL_TYPES as readonly unknown[]).includes(event['detail-type']) &&
  isObject(event.detail) &&
  event.detail.schemaVersion === EVENT_SCHEMA_VERSION;

export const isAfterAddFriendEvent = (event: unknown): event is AfterAddFriendEvent =>
  isFriendEvent(event) && event['detail-type'] === 'AfterAddFriend';

export const isAfterAddFriendAgreeEvent = (event: unknown): event is AfterAddFriendAgreeEvent =>
  isFriendEvent(event) && event['detail-type'] === 'AfterAddFriendAgree';

export const isAfterImportFriendsEvent = (event: unknown): event is AfterImportFriendsEvent =>
  isFriendEvent(event) && event['detail-type'] === 'AfterImportFriends';

export const isAfterDeleteFriendEvent = (event: unknown): event is AfterDeleteFriendEvent =>
  isFriendEvent(event) && event['detail-type'] === 'AfterDeleteFriend';

export const isAfterSetFriendRemarkEvent = (event: unknown): event is AfterSetFriendRemarkEvent =>
  isFriendEvent(event) && event['detail-type'] === 'AfterSetFriendRemark';

export const isAfterRemoveBlackEvent = (event: unknown): event is AfterRemoveBlackEvent =>
  isFriendEvent(event) && event['detail-type'] === 'AfterRemoveBlack';

export const isFriendshipReconciledEvent = (event: unknown): event is FriendshipReconciledEvent =>
  isFriendEvent(event) && event['detail-type'] === 'FriendshipReconciled';

export const isBlacklistReconciledEvent = (event: unknown): event is BlacklistReconciledEvent =>
  isFriendEvent(event) && event['detail-type'] === 'BlacklistReconciled';

/** The detail-types that mean "these users are friends now". */
export const FRIENDSHIP_CREATED_DETAIL_TYPES = ['AfterAddFriendAgree', 'AfterImportFriends'] as const;

/** Narrows an incoming event to a snapshot event (any subscriber's: check `detail.snapshot.for`). */
export const isSnapshotEvent = (event: unknown): event is SnapshotEvent =>
  isObject(event) &&
  (SNAPSHOT_DETAIL_TYPES as readonly unknown[]).includes(event['detail-type']) &&
  isObject(event.detail) &&
  event.detail.schemaVersion === EVENT_SCHEMA_VERSION;
