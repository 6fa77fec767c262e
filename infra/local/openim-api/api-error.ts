/**
 * OpenIM's error replies (`pkg/common/servererrs`, `tools/errs`): HTTP 200 with errCode, errMsg
 * (the code's name) and errDlt (the detail, `msg, key=value`).
 */
export class ApiError extends Error {
  constructor(
    readonly errCode: number,
    readonly errMsg: string,
    readonly errDlt: string,
  ) {
    super(`${errCode} ${errMsg} ${errDlt}`);
  }
}

/** `WrapMsg`'s detail: the message, then `key=value` pairs. */
const detail = (msg: string, kv: Record<string, unknown>): string =>
  [msg, ...Object.entries(kv).map(([key, value]) => `${key}=${String(value)}`)].filter(Boolean).join(', ');

const code =
  (errCode: number, errMsg: string) =>
  (msg = '', kv: Record<string, unknown> = {}) =>
    new ApiError(errCode, errMsg, detail(msg, kv));

export const errArgs = code(1001, 'ArgsError');
export const errNoPermission = code(1002, 'NoPermissionError');
export const errRecordNotFound = code(1004, 'RecordNotFoundError');
export const errInternal = code(500, 'ServerInternalError');
export const errRegisteredAlready = code(1102, 'RegisteredAlreadyError');
export const errCanNotAddYourself = code(1301, 'CanNotAddYourselfError');
export const errRelationshipAlready = code(1304, 'RelationshipAlreadyError');
export const errFriendRequestHandled = code(1305, 'FriendRequestHandled');
export const errTokenExpired = code(1501, 'TokenExpiredError');
export const errTokenMalformed = code(1503, 'TokenMalformedError');
export const errTokenUnknown = code(1505, 'TokenUnknownError');
export const errTokenKicked = code(1506, 'TokenKickedError');
export const errTokenNotExist = code(1507, 'TokenNotExistError');

/** `rpcli.CheckUser`'s answer for an ID that is not a user. */
export const userNotFound = () => errRecordNotFound('user not found');
