import type { GoJsonValue } from '../../../functions/adapters/openim-api/go-json';
import { errInternal, errNoPermission } from './api-error';
import type { BlackRecord } from './black-lists';
import type { ListFaults } from './faults';
import type { FriendRecord, OpenImModel } from './model';
import type { Capabilities } from './server-versions';
import type { TokenClaims, Tokens } from './tokens';
import type { CallbackBody } from './webhooks';

/** What a route handler works with: the data, who is calling, and the server's make. */
export interface RouteContext {
  model: OpenImModel;
  tokens: Tokens;
  capabilities: Capabilities;
  /** The caller's token claims; undefined on the routes that need no token. */
  operator: TokenClaims | undefined;
  adminUserIDs: readonly string[];
  secret: string;
  /** Token lifetime in seconds (`expireTimeSeconds`). */
  tokenExpireSeconds: number;
  /** Posts an after-callback, when a callback URL is configured. */
  fire(body: CallbackBody): void;
  /** Faults the paged list routes play. */
  listFaults: ListFaults;
}

export interface Route {
  /** Whether the route is behind the token check (v3.7 checks per route, v3.8+ before routing). */
  needsToken: boolean;
  /** Only on servers with get_full_friend_user_ids and get_incremental_friends. */
  friendSync?: boolean;
  /** Only on servers with get_specified_blacks (v3.8.1+). */
  specifiedBlacks?: boolean;
  /** The reply's `data`; undefined for an empty response struct (OpenIM then leaves `data` out). */
  handle(context: RouteContext, body: string): GoJsonValue | undefined;
}

/** `authverify.CheckAccess`: the user themselves or an admin. */
export const checkAccess = (context: RouteContext, userID: string): void => {
  const op = context.operator?.userID ?? '';
  if (op !== userID && !context.adminUserIDs.includes(op)) {
    throw errNoPermission('no permission for this user', { opUserID: op, userID });
  }
};

/** `authverify.CheckAdmin`. */
export const checkAdmin = (context: RouteContext): void => {
  const op = context.operator?.userID ?? '';
  if (!context.adminUserIDs.includes(op)) throw errNoPermission('user is not admin', { userID: op });
};

/** A Go nil slice is `null`. */
export const listOrNull = <T extends GoJsonValue>(items: readonly T[]): readonly T[] | null =>
  items.length === 0 ? null : items;

/** `sdkws.FriendInfo`, fields in proto order, as `convert.FriendsDB2Pb` fills it. */
export const friendInfo = (model: OpenImModel, owner: string, row: FriendRecord): GoJsonValue => {
  const user = model.user(row.friendUserID);
  if (!user) throw errInternal(`user not found: ${row.friendUserID}`); // OpenIM panics on a row without its user
  return {
    ownerUserID: owner,
    remark: row.remark,
    createTime: row.createTime,
    friendUser: {
      userID: user.userID,
      nickname: user.nickname,
      faceURL: user.faceURL,
      ex: user.ex,
      createTime: 0,
      appMangerLevel: 0,
      globalRecvMsgOpt: 0,
    },
    addSource: row.addSource,
    operatorUserID: row.operatorUserID,
    ex: row.ex,
    isPinned: row.isPinned,
  };
};

/** `sdkws.BlackInfo`, as `convert.BlackDB2Pb` fills it. */
export const blackInfo = (model: OpenImModel, owner: string, black: BlackRecord): GoJsonValue => {
  const user = model.user(black.blackUserID);
  if (!user) throw errInternal(`user not found: ${black.blackUserID}`);
  return {
    ownerUserID: owner,
    createTime: black.createTime,
    blackUserInfo: { userID: user.userID, nickname: user.nickname, faceURL: user.faceURL, ex: user.ex },
    addSource: black.addSource,
    operatorUserID: black.operatorUserID,
    ex: black.ex,
  };
};
