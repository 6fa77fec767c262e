import type { AlteredField } from '../contract/events';
import type { FriendCommand } from './commands';
import { InvalidFieldError, MalformedBodyError } from './reply';
import { isWellFormed, truncateText } from './safe-text';

/**
 * Field bounds. OpenIM sends user IDs of a few dozen characters and short request messages;
 * these limits sit far above any real payload and exist so that one event always fits in an
 * EventBridge entry and, parked, in an SQS message (1 MB each since 2026-01-29), even after the
 * JSON escaping of a detail inside a parked message (at most twice the detail's JSON: 200 KiB
 * parts stay under the old 256 KB limits for most IDs and under 1 MiB for any). A longer user ID
 * is refused (an ID cannot be shortened); a longer message is cut to the bound and flagged.
 */
export const MAX_USER_ID_BYTES = 256;
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_IMPORTED_FRIENDS = 100_000;
/** An import whose detail would be larger than this is split into parts. */
export const MAX_DETAIL_BYTES = 200 * 1024;

/**
 * A validated friend callback: wire quirks resolved, every field checked. `altered` names the
 * message fields that were longer than `MAX_MESSAGE_BYTES` and hold their first part only.
 */
export type FriendCallback = { altered?: AlteredField[] } & (
  | { command: 'callbackAfterAddFriendCommand'; fromUserID: string; toUserID: string; reqMsg: string }
  | {
      command: 'callbackAfterAddFriendAgreeCommand';
      fromUserID: string;
      toUserID: string;
      handleResult: number;
      handleMsg: string;
    }
  | { command: 'callbackAfterImportFriendsCommand'; ownerUserID: string; friendUserIDs: string[] }
  | { command: 'callbackAfterDeleteFriendCommand'; ownerUserID: string; friendUserID: string }
  | {
      command: 'callbackAfterSetFriendRemarkCommand' | 'callbackAfterSetFriendRemark';
      ownerUserID: string;
      friendUserID: string;
      remark: string;
    }
  | { command: 'callbackAfterRemoveBlackCommand'; ownerUserID: string; blackUserID: string }
);

export type CallbackBody = Record<string, unknown>;

export const asCallbackBody = (parsed: unknown): CallbackBody => {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedBodyError(`expected a JSON object, got ${describe(parsed)}`);
  }
  return parsed as CallbackBody;
};

/**
 * Checks the body of `command` and returns its fields; unknown extra fields are ignored. Only
 * what makes the event meaningless is refused (a refused after-callback is lost: OpenIM never
 * retries): a missing or malformed user ID, an agree that is not an accept. A message that is too
 * long is kept in part (`altered`); one that is absent reads as "" (what OpenIM sends for none).
 */
export const parseFriendCallback = (command: FriendCommand, body: CallbackBody): FriendCallback => {
  const altered: AlteredField[] = [];
  const text = (field: AlteredField, ...names: string[]): string => {
    const { value, altered: cut } = message(body, ...names);
    if (cut) altered.push(field);
    return value;
  };
  const fields = parseFields(command, body, text);
  return altered.length > 0 ? { ...fields, altered } : fields;
};

type TextReader = (field: AlteredField, ...names: string[]) => string;

const parseFields = (command: FriendCommand, body: CallbackBody, text: TextReader): FriendCallback => {
  switch (command) {
    case 'callbackAfterAddFriendCommand':
      return {
        command,
        fromUserID: userID(body, 'fromUserID'),
        toUserID: userID(body, 'toUserID'),
        reqMsg: text('reqMsg', 'reqMsg'),
      };
    case 'callbackAfterAddFriendAgreeCommand':
      // OpenIM's wire names are `blackUserID`, `HandleResult`, `HandleMsg`; forks and old docs
      // use `toUserID`, `handleResult`, `handleMsg`. The wire name wins when both are present.
      return {
        command,
        fromUserID: userID(body, 'fromUserID'),
        toUserID: userID(body, 'blackUserID', 'toUserID'),
        handleResult: acceptedHandleResult(body),
        handleMsg: text('handleMsg', 'HandleMsg', 'handleMsg'),
      };
    case 'callbackAfterImportFriendsCommand':
      return {
        command,
        ownerUserID: userID(body, 'ownerUserID'),
        friendUserIDs: userIDList(body, 'friendUserIDs'),
      };
    case 'callbackAfterDeleteFriendCommand':
      return { command, ownerUserID: userID(body, 'ownerUserID'), friendUserID: userID(body, 'friendUserID') };
    case 'callbackAfterSetFriendRemarkCommand':
    case 'callbackAfterSetFriendRemark':
      return {
        command,
        ownerUserID: userID(body, 'ownerUserID'),
        friendUserID: userID(body, 'friendUserID'),
        remark: text('remark', 'remark'),
      };
    case 'callbackAfterRemoveBlackCommand':
      return { command, ownerUserID: userID(body, 'ownerUserID'), blackUserID: userID(body, 'blackUserID') };
  }
};

/** OpenIM fires the agree callback only on acceptance (1); anything else is not what a server sends. */
const ACCEPTED = 1;

const acceptedHandleResult = (body: CallbackBody): typeof ACCEPTED => {
  const { name, value } = field(body, ['HandleResult', 'handleResult']);
  // The command itself says "accepted": a fork that leaves the result out still means it.
  if (value === undefined) return ACCEPTED;
  const handleResult = int32(name, value);
  if (handleResult !== ACCEPTED) {
    throw new InvalidFieldError(
      `${name}: expected ${ACCEPTED} (OpenIM fires this callback only on accept), got ${handleResult}`,
    );
  }
  return ACCEPTED;
};

/** Reads the first of `names` present in the body; the error names all of them. */
const field = (body: CallbackBody, names: string[]): { name: string; value: unknown } => {
  const name = names.find((candidate) => Object.hasOwn(body, candidate)) ?? names.join(' or ');
  return { name, value: Object.hasOwn(body, name) ? body[name] : undefined };
};

const userID = (body: CallbackBody, ...names: string[]): string => {
  const { name, value } = field(body, names);
  return checkUserID(name, value);
};

const checkUserID = (name: string, value: unknown): string => {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidFieldError(`${name}: expected a non-empty string, got ${describe(value)}`);
  }
  // An ID is identity: it cannot be shortened. Any character OpenIM takes is kept (it accepts any
  // ID without ':'), but a lone UTF-16 surrogate cannot come from OpenIM's Go encoder, nor be
  // written as UTF-8 (a database key, a log field).
  checkBytes(name, value, MAX_USER_ID_BYTES);
  if (!isWellFormed(value)) {
    throw new InvalidFieldError(`${name}: expected well-formed text (a lone UTF-16 surrogate is not)`);
  }
  return value;
};

/** A free-text field; absent or null reads as "" (Go's omitempty), too long is cut to the bound. */
const message = (body: CallbackBody, ...names: string[]): { value: string; altered: boolean } => {
  const { name, value } = field(body, names);
  if (value === undefined || value === null) return { value: '', altered: false };
  if (typeof value !== 'string') {
    throw new InvalidFieldError(`${name}: expected a string (may be empty), got ${describe(value)}`);
  }
  return truncateText(value, MAX_MESSAGE_BYTES);
};

const int32 = (name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new InvalidFieldError(`${name}: expected a 32-bit integer, got ${describe(value)}`);
  }
  return value;
};

const userIDList = (body: CallbackBody, name: string): string[] => {
  if (!Object.hasOwn(body, name)) {
    throw new InvalidFieldError(`${name}: expected an array of user IDs or null, got nothing`);
  }
  const value = body[name];
  if (value === null) return []; // Go encodes an empty slice as null
  if (!Array.isArray(value)) {
    throw new InvalidFieldError(`${name}: expected an array of user IDs or null, got ${describe(value)}`);
  }
  if (value.length > MAX_IMPORTED_FRIENDS) {
    throw new InvalidFieldError(`${name}: at most ${MAX_IMPORTED_FRIENDS} IDs per callback, got ${value.length}`);
  }
  return value.map((item: unknown, index) => checkUserID(`${name}[${index}]`, item));
};

const checkBytes = (name: string, value: string, max: number): void => {
  // Cheap first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (value.length * 3 > max && Buffer.byteLength(value, 'utf8') > max) {
    throw new InvalidFieldError(`${name}: at most ${max} bytes (UTF-8), got ${Buffer.byteLength(value, 'utf8')}`);
  }
};

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : 'a non-integer number';
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
};
