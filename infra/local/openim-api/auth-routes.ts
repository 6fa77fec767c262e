import { errArgs, errNoPermission, errRecordNotFound } from './api-error';
import { decodeRequest } from './request-decoder';
import type { Route, RouteContext } from './route';
import { ADMIN_PLATFORM_ID } from './tokens';

/**
 * The two ways to log in: `/auth/get_admin_token` (v3.8.1+; an admin user ID and the secret) and
 * `/auth/user_token` (v3.7, v3.8.0; any user ID, the secret and a platform). The user must exist.
 */
const token = (context: RouteContext, userID: string, platformID: number) => ({
  token: context.tokens.issue({ userID, platformID }),
  expireTimeSeconds: context.tokenExpireSeconds,
});

export const AUTH_ROUTES: Record<string, Route> = {
  '/auth/get_admin_token': {
    needsToken: false,
    handle: (context, body) => {
      const { secret, userID } = decodeRequest('auth.GetAdminTokenReq', { secret: 'string', userID: 'string' }, body);
      if (secret !== context.secret) throw errNoPermission('secret invalid');
      if (!context.adminUserIDs.includes(userID)) {
        throw errArgs('userID is error.', { userID, adminUserID: `[${context.adminUserIDs.join(' ')}]` });
      }
      if (!context.model.hasUser(userID)) throw errRecordNotFound('user not found');
      return token(context, userID, ADMIN_PLATFORM_ID);
    },
  },

  '/auth/user_token': {
    needsToken: false,
    handle: (context, body) => {
      const { secret, platformID, userID } = decodeRequest(
        'auth.UserTokenReq',
        { secret: 'string', platformID: 'int32', userID: 'string' },
        body,
      );
      if (secret !== context.secret) throw errNoPermission('secret invalid');
      if (!context.model.hasUser(userID)) throw errRecordNotFound('user not found');
      return token(context, userID, platformID);
    },
  },
};
