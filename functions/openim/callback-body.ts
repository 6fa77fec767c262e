import type { FriendCommand } from './commands';
import { InvalidFieldError, MalformedBodyError } from './reply';

/**
 * Field bounds. OpenIM sends user IDs of a few dozen characters and short request messages;
 * these limits sit far above any real payload and exist so that one event always fits in an
 * EventBridge entry and, parked, in an SQS message (1 MB each since 2026-01-29), even after the
 * JSON escaping of a detail inside a parked message (up to 6 bytes for 1: 200 KiB parts stay
 * under the old 256 KB limits for most IDs and under 1 MiB for any).
 */
export const MAX_USER_ID_BYTES = 256;
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_IMPORTED_FRIENDS = 100_000;
/** An import whose detail would be larger than this is split into parts. */
export const MAX_DETAIL_BYTES = 200 * 1024;

/** A validated friend callback: wire quirks resolved, every field checked. */
export type FriendCallback =
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
  | { command: 'callbackAfterRemoveBlackCommand'; ownerUserID: string; blackUserID: string };

export type CallbackBody = Record<string, unknown>;

export const asCallbackBody = (parsed: unknown): CallbackBody => {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedBodyError(`expected a JSON object, got ${describe(parsed)}`);
  }
  return parsed as CallbackBody;
};

/** Checks the body of `command` and returns its fields; unknown extra fields are ignored. */
export const parseFriendCallback = (command: FriendCommand, body: CallbackBody): FriendCallback => {
  switch (command) {
    case 'callbackAfterAddFriendCommand':
      return {
        command,
        fromUserID: userID(body, 'fromUserID'),
        toUserID: userID(body, 'toUserID'),
        reqMsg: message(body, 'reqMsg'),
      };
    case 'callbackAfterAddFriendAgreeCommand':
      // OpenIM's wire names are `blackUserID`, `HandleResult`, `HandleMsg`; forks and old docs
      // use `toUserID`, `handleResult`, `handleMsg`. The wire name wins when both are present.
      return {
        command,
        fromUserID: userID(body, 'fromUserID'),
        toUserID: userID(body, 'blackUserID', 'toUserID'),
        handleResult: acceptedHandleResult(body),
        handleMsg: message(body, 'HandleMsg', 'handleMsg'),
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
        remark: message(body, 'remark'),
      };
    case 'callbackAfterRemoveBlackCommand':
      return { command, ownerUserID: userID(body, 'ownerUserID'), blackUserID: userID(body, 'blackUserID') };
  }
};

/** OpenIM fires the agree callback only on acceptance (1); anything else is not what a server sends. */
const ACCEPTED = 1;

const acceptedHandleResult = (body: CallbackBody): typeof ACCEPTED => {
  const { name, value } = field(body, ['HandleResult', 'handleResult']);
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
  checkBytes(name, value, MAX_USER_ID_BYTES);
  // An ID becomes a key downstream (a database key, a log field): it must be plain, well-formed text.
  if (!isPlainText(value)) {
    throw new InvalidFieldError(`${name}: expected text without control characters or lone surrogates`);
  }
  return value;
};

/** No C0 control (NUL included), DEL, C1 control or U+FFFE/U+FFFF, and every UTF-16 surrogate in a pair. */
export const isPlainText = (value: string): boolean => {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code >= 0xfffe) return false;
    if (code >= 0xdc00 && code <= 0xdfff) return false; // a low surrogate without a high one before it
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      index++;
    }
  }
  return true;
};

const message = (body: CallbackBody, ...names: string[]): string => {
  const { name, value } = field(body, names);
  if (typeof value !== 'string') {
    throw new InvalidFieldError(`${name}: expected a string (may be empty), got ${describe(value)}`);
  }
  checkBytes(name, value, MAX_MESSAGE_BYTES);
  return value;
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
