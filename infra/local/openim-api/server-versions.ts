/**
 * What differs between the OpenIM servers the stand-in plays (read from each one's source):
 *
 * | | v3.7 | v3.8.0 | v3.8.1 | main |
 * |---|---|---|---|---|
 * | admin login | `/auth/user_token` | `/auth/user_token` | `/auth/get_admin_token` | `/auth/get_admin_token` |
 * | get_full_friend_user_ids, get_incremental_friends | 404 | yes | yes | yes |
 * | token checked before routing (an unknown route without a token: 1001) | no | yes | yes | yes |
 * | friend lists pinned first | no (insertion order) | yes | yes | yes |
 * | designated/delete/update of a non-friend | 1004 | left out / logged | same | same |
 * | get_full_friend_user_ids `version` | - | the idHash | the idHash | the list version |
 * | a new admin login ends earlier admin tokens after 5 min | no | no | no | yes |
 * | optional 429 rate limiter | no | no | no | yes |
 * | after-callbacks for agree and remove-black | no | no | yes | yes |
 * | get_specified_blacks (a read aimed at black entries) | 404 | 404 | yes | yes |
 *
 * (The idHash in `version` lasted until v3.8.3-patch.11; the stand-in's v3.8.1 has it.)
 */
export const SERVER_VERSIONS = ['v3.7', 'v3.8.0', 'v3.8.1', 'main'] as const;
export type ServerVersion = (typeof SERVER_VERSIONS)[number];

export interface Capabilities {
  loginRoute: '/auth/user_token' | '/auth/get_admin_token';
  friendSyncRoutes: boolean;
  tokenCheckBeforeRouting: boolean;
  /** Route prefixes the token check lets through (`Whitelist`). */
  tokenFree: readonly string[];
  pinnedFirst: boolean;
  strictFriendLookups: boolean;
  fullIDsVersionIsHash: boolean;
  revokeEarlierAdminTokens: boolean;
  rateLimiter: boolean;
  /** v3.7 registers users with the secret in the body, later versions with an admin token. */
  registerWithSecret: boolean;
  sendsAgreeAndRemoveBlackCallbacks: boolean;
  specifiedBlacks: boolean;
}

const V3_8_0: Capabilities = {
  loginRoute: '/auth/user_token',
  friendSyncRoutes: true,
  tokenCheckBeforeRouting: true,
  tokenFree: ['/auth/user_token', '/auth/parse_token'],
  pinnedFirst: true,
  strictFriendLookups: false,
  fullIDsVersionIsHash: true,
  revokeEarlierAdminTokens: false,
  rateLimiter: false,
  registerWithSecret: false,
  sendsAgreeAndRemoveBlackCallbacks: false,
  specifiedBlacks: false,
};

const V3_8_1: Capabilities = {
  ...V3_8_0,
  loginRoute: '/auth/get_admin_token',
  tokenFree: ['/auth/get_admin_token', '/auth/parse_token'],
  sendsAgreeAndRemoveBlackCallbacks: true,
  specifiedBlacks: true,
};

export const CAPABILITIES: Record<ServerVersion, Capabilities> = {
  'v3.7': {
    ...V3_8_0,
    friendSyncRoutes: false,
    tokenCheckBeforeRouting: false,
    tokenFree: ['/auth/user_token', '/auth/parse_token', '/user/user_register'],
    pinnedFirst: false,
    strictFriendLookups: true,
    registerWithSecret: true,
  },
  'v3.8.0': V3_8_0,
  'v3.8.1': V3_8_1,
  main: { ...V3_8_1, fullIDsVersionIsHash: false, revokeEarlierAdminTokens: true, rateLimiter: true },
};
