import type { CallObservation } from '../../reconcile/openim-directory';
import {
  type FriendIDs,
  type FriendListChanges,
  type FriendListVersion,
  type FriendRow,
  type ListPage,
  type OpenImDirectory,
  OpenImReadError,
  type PairRead,
} from '../../reconcile/openim-directory';
import { AdminToken, type LoginRoute } from './admin-token';
import { isTokenError } from './envelope';
import { OpenImHttp } from './http-call';
import { idHash } from './id-hash';
import { Pacer } from './pacer';
import { type Clock, systemClock, type TokenCache } from './ports';
import { ReplyFields } from './reply-fields';

export type { LoginRoute } from './admin-token';
export type { CachedToken, Clock, TokenCache } from './ports';

export interface OpenImDirectoryOptions {
  /** OpenIM's API, e.g. `http://openim-server:10002`. */
  apiUrl: string;
  /** An admin user ID of the reconciler's own (`share.yml` `imAdminUser.userIDs`). */
  adminUserID: string;
  /** `share.yml` `secret`; a function is only called when a login is needed. */
  adminSecret: string | (() => Promise<string>);
  /** Requests per second at most, for this instance, logins and retries included. */
  callsPerSecond: number;
  /** Requests in flight at most, for this instance. */
  maxConcurrentCalls: number;
  callTimeoutMs?: number;
  /** Requests per call at most: the first and its retries. */
  maxAttempts?: number;
  /** A 429 asking to wait longer fails the call (retryable) instead of holding every call. */
  maxRetryAfterMs?: number;
  /** Skips finding out the login route (v3.8.1+: get_admin_token; v3.7, v3.8.0: user_token). */
  loginRoute?: LoginRoute;
  /** Whether the server has get_full_friend_user_ids and get_incremental_friends (v3.8.0+); found out from a 404 when not given. */
  friendSyncRoutes?: boolean;
  tokenCache?: TokenCache;
  onCall?: (call: CallObservation) => void;
  clock?: Clock;
}

/** The adapter's own limits (the pace itself is the caller's setting). */
export const OPENIM_API_DEFAULTS = {
  callTimeoutMs: 10_000,
  maxAttempts: 4,
  maxRetryAfterMs: 60_000,
} as const;

/** The OpenIM admin client: `OpenImDirectory` over OpenIM's REST API (see docs/design.md). */
export const createOpenImDirectory = (options: OpenImDirectoryOptions): OpenImDirectory => {
  const clock = options.clock ?? systemClock;
  const http = new OpenImHttp({
    apiUrl: options.apiUrl,
    clock,
    pacer: new Pacer({ callsPerSecond: options.callsPerSecond, maxConcurrentCalls: options.maxConcurrentCalls, clock }),
    callTimeoutMs: options.callTimeoutMs ?? OPENIM_API_DEFAULTS.callTimeoutMs,
    maxAttempts: options.maxAttempts ?? OPENIM_API_DEFAULTS.maxAttempts,
    maxRetryAfterMs: options.maxRetryAfterMs ?? OPENIM_API_DEFAULTS.maxRetryAfterMs,
    onCall: options.onCall,
  });
  const token = new AdminToken({
    http,
    clock,
    adminUserID: options.adminUserID,
    adminSecret: options.adminSecret,
    loginRoute: options.loginRoute,
    tokenCache: options.tokenCache,
  });
  return new OpenImApiDirectory(http, token, options.friendSyncRoutes);
};

/**
 * Reads per server generation: v3.8.0+ answer `friendListChanges` from get_incremental_friends
 * and `friendIDs` from get_full_friend_user_ids (the hash shortcut); v3.7 has neither, so its
 * changes are always a resync and its IDs come from get_friend_id. v3.8.1+ answer `specifiedBlack`
 * from get_specified_blacks; earlier ones have no read aimed at one black entry. Lists are served
 * page by page as OpenIM serves them: whether the pages make a whole list is the engine's call
 * (`functions/reconcile/list-read.ts`). A user OpenIM does not have reads as empty lists: OpenIM itself answers every one of these reads that way.
 */
class OpenImApiDirectory implements OpenImDirectory {
  constructor(
    private readonly http: OpenImHttp,
    private readonly token: AdminToken,
    private syncRoutes: boolean | undefined,
  ) {}

  /** Whether the server has get_specified_blacks (v3.8.1+), found out from a 404. */
  private specifiedBlacksRoute: boolean | undefined;

  async userPage(pageNumber: number, pageSize: number): Promise<{ userIDs: string[]; total: number }> {
    if (!Number.isSafeInteger(pageNumber) || pageNumber < 1 || !Number.isSafeInteger(pageSize) || pageSize < 1) {
      throw new RangeError(`userPage needs whole numbers of at least 1, got page ${pageNumber} of ${pageSize}`);
    }
    const reply = await this.call('/user/get_all_users_uid', { pagination: { pageNumber, showNumber: pageSize } });
    return { userIDs: reply.strings('userIDs'), total: reply.count('total') };
  }

  async friendListChanges(ownerUserID: string, since: FriendListVersion | undefined): Promise<FriendListChanges> {
    const reply = await this.callSyncRoute('/friend/get_incremental_friends', {
      userID: ownerUserID,
      versionID: since?.versionID ?? '',
      version: since?.version ?? 0,
    });
    if (reply === undefined) return { kind: 'resync' };
    const current = reply.version();
    if (reply.boolean('full')) return { kind: 'resync', current };
    return {
      kind: 'changes',
      current,
      removed: reply.strings('delete'),
      upserted: [...reply.friendRows('insert'), ...reply.friendRows('update')],
    };
  }

  async friendIDs(ownerUserID: string, knownHash?: bigint): Promise<FriendIDs> {
    const reply = await this.callSyncRoute('/friend/get_full_friend_user_ids', {
      userID: ownerUserID,
      idHash: knownHash ?? 0n,
    });
    if (reply === undefined) {
      const userIDs = (await this.call('/friend/get_friend_id', { userID: ownerUserID })).strings('friendIDs');
      return { kind: 'list', userIDs, listHash: idHash(userIDs) };
    }
    // `version` is not read: v3.8.0 to v3.8.3-patch.11 put the idHash there, later ones the list version.
    if (reply.boolean('equal')) {
      // Asked with 0 and equal: the list is empty (only an empty list hashes to 0).
      return knownHash === undefined ? { kind: 'list', userIDs: [], listHash: 0n } : { kind: 'unchanged' };
    }
    const userIDs = reply.strings('userIDs');
    return { kind: 'list', userIDs, listHash: idHash(userIDs) };
  }

  async friendPage(ownerUserID: string, pageNumber: number, pageSize: number): Promise<ListPage<FriendRow>> {
    const reply = await this.call('/friend/get_friend_list', {
      userID: ownerUserID,
      pagination: pagination(pageNumber, pageSize),
    });
    return { rows: reply.friendRows('friendsInfo'), total: reply.count('total') };
  }

  async designatedFriend(ownerUserID: string, friendUserID: string): Promise<FriendRow | undefined> {
    try {
      const reply = await this.call('/friend/get_designated_friends', { ownerUserID, friendUserIDs: [friendUserID] });
      return reply.friendRows('friendsInfo').find((row) => row.userID === friendUserID);
    } catch (error) {
      // v3.7 answers 1004 for an ID that is not on the list (v3.8+ leaves it out): for one ID, an answer.
      if (error instanceof OpenImReadError && error.details.errCode === 1004) return undefined;
      throw error;
    }
  }

  async blackPage(ownerUserID: string, pageNumber: number, pageSize: number): Promise<ListPage<string>> {
    const reply = await this.call('/friend/get_black_list', {
      userID: ownerUserID,
      pagination: pagination(pageNumber, pageSize),
    });
    const rows = reply.list('blacks').map((black) => reply.string('userID', reply.nested(black, 'blackUserInfo')));
    return { rows, total: reply.count('total') };
  }

  async specifiedBlack(ownerUserID: string, blackUserID: string): Promise<PairRead> {
    if (this.specifiedBlacksRoute === false) return 'noTargetedRead';
    try {
      const reply = await this.call('/friend/get_specified_blacks', { ownerUserID, userIDList: [blackUserID] });
      this.specifiedBlacksRoute = true;
      const found = reply
        .list('blacks')
        .some((black) => reply.string('userID', reply.nested(black, 'blackUserInfo')) === blackUserID);
      return found ? 'present' : 'absent';
    } catch (error) {
      // v3.7 to v3.8.0 have no such route (404): the engine reads the whole list a second time instead.
      if (
        this.specifiedBlacksRoute === undefined &&
        error instanceof OpenImReadError &&
        error.details.httpStatus === 404
      ) {
        this.specifiedBlacksRoute = false;
        return 'noTargetedRead';
      }
      throw error;
    }
  }

  /** A call with the admin token; a refused token (1501-1507) is renewed once and the call made once more. */
  private async call(endpoint: string, body: Record<string, unknown>): Promise<ReplyFields> {
    const token = await this.token.current();
    try {
      return new ReplyFields(endpoint, await this.http.post(endpoint, body, token));
    } catch (error) {
      if (!(error instanceof OpenImReadError && isTokenError(error.details.errCode ?? 0))) throw error;
      const renewed = await this.token.renew(token);
      return new ReplyFields(endpoint, await this.http.post(endpoint, body, renewed));
    }
  }

  /** A call to a v3.8.0+ route; undefined on a server that answers 404 for it (v3.7). */
  private async callSyncRoute(endpoint: string, body: Record<string, unknown>): Promise<ReplyFields | undefined> {
    if (this.syncRoutes === false) return undefined;
    try {
      const reply = await this.call(endpoint, body);
      this.syncRoutes = true;
      return reply;
    } catch (error) {
      if (this.syncRoutes === undefined && error instanceof OpenImReadError && error.details.httpStatus === 404) {
        this.syncRoutes = false;
        return undefined;
      }
      throw error;
    }
  }
}

const pagination = (pageNumber: number, showNumber: number) => {
  if (!Number.isSafeInteger(pageNumber) || pageNumber < 1 || !Number.isSafeInteger(showNumber) || showNumber < 1) {
    throw new RangeError(`a page needs whole numbers of at least 1, got page ${pageNumber} of ${showNumber}`);
  }
  return { pageNumber, showNumber };
};
