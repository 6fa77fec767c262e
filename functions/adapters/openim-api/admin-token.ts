import { OpenImReadError } from '../../reconcile/openim-directory';
import type { OpenImErrorReply, ReplyData } from './envelope';
import type { OpenImHttp } from './http-call';
import type { CachedToken, Clock, TokenCache } from './ports';

/**
 * The admin token: from memory, else from the caller's `TokenCache`, else a login. OpenIM v3.8.1
 * and later log an admin in with `/auth/get_admin_token`; v3.7 and v3.8.0 only have
 * `/auth/user_token` (platform 10). Which one a server has is found out by trying the newer one:
 * v3.7 answers 404; v3.8.0 runs its token check before routing and answers errCode 1001 "header
 * must have token" for a route it neither has nor exempts. `loginRoute` skips the probe.
 */
export type LoginRoute = '/auth/get_admin_token' | '/auth/user_token';

/** OpenIM's admin platform ID, which `/auth/user_token` asks for. */
const ADMIN_PLATFORM_ID = 10;
/** A token this close to its expiry is renewed before use rather than after a refusal. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

export interface AdminTokenOptions {
  http: OpenImHttp;
  clock: Clock;
  adminUserID: string;
  /** `share.yml` `secret`; a function is called only when a login is needed (the token may be cached). */
  adminSecret: string | (() => Promise<string>);
  loginRoute?: LoginRoute;
  tokenCache?: TokenCache;
}

export class AdminToken {
  private token: CachedToken | undefined;
  private loaded = false;
  private pending: Promise<string> | undefined;
  private route: LoginRoute | undefined;

  constructor(private readonly options: AdminTokenOptions) {
    this.route = options.loginRoute;
  }

  /** A token believed valid. */
  current(): Promise<string> {
    if (this.pending) return this.pending;
    if (this.token && this.usable(this.token)) return Promise.resolve(this.token.token);
    return this.single(async () => {
      if (!this.loaded) {
        this.loaded = true;
        const cached = await this.options.tokenCache?.load();
        if (cached && this.usable(cached)) {
          this.token = cached;
          return cached.token;
        }
      }
      return this.login();
    });
  }

  /**
   * A new token after OpenIM refused `refused` (1501-1507). Calls that were refused the same token
   * at the same time share one login; a call refused a token already replaced just gets the new one.
   * The shared cache is read first: another worker of the sweep may have renewed already, and on
   * OpenIM main every login ends the admin's other tokens 5 minutes later, so a login per worker
   * would have the workers refusing each other's tokens all sweep long. Only a cache that holds
   * the refused token, or nothing usable, costs a login.
   */
  renew(refused: string): Promise<string> {
    if (this.pending) return this.pending;
    if (this.token && this.token.token !== refused && this.usable(this.token)) return Promise.resolve(this.token.token);
    return this.single(async () => {
      const cached = await this.options.tokenCache?.load();
      if (cached && cached.token !== refused && this.usable(cached)) {
        this.token = cached;
        return cached.token;
      }
      return this.login();
    });
  }

  private usable(token: CachedToken): boolean {
    return token.expiresAtMs - RENEW_BEFORE_EXPIRY_MS > this.options.clock.now();
  }

  private single(work: () => Promise<string>): Promise<string> {
    const pending = work().finally(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    this.pending = pending;
    return pending;
  }

  private async login(): Promise<string> {
    const { adminSecret, adminUserID, clock, tokenCache } = this.options;
    const secret = typeof adminSecret === 'string' ? adminSecret : await adminSecret();
    const data = await this.loginReply(secret, adminUserID);
    const token = data.token;
    const seconds = data.expireTimeSeconds;
    if (typeof token !== 'string' || token === '' || typeof seconds !== 'number') {
      throw new OpenImReadError(`OpenIM ${this.route}: the reply has no token and expireTimeSeconds`, {
        endpoint: this.route ?? '/auth/get_admin_token',
        retryable: false,
      });
    }
    this.token = { token, expiresAtMs: clock.now() + seconds * 1000 };
    await tokenCache?.save(this.token);
    return token;
  }

  private async loginReply(secret: string, userID: string): Promise<ReplyData> {
    const { http } = this.options;
    if (this.route === '/auth/user_token') {
      return http.post(this.route, { secret, platformID: ADMIN_PLATFORM_ID, userID });
    }
    try {
      const data = await http.post('/auth/get_admin_token', { secret, userID });
      this.route = '/auth/get_admin_token';
      return data;
    } catch (error) {
      if (this.route !== undefined || !hasNoAdminTokenRoute(error)) throw error;
      this.route = '/auth/user_token';
      return http.post(this.route, { secret, platformID: ADMIN_PLATFORM_ID, userID });
    }
  }
}

/** v3.7's 404, or v3.8.0's token check refusing a route it does not know. */
const hasNoAdminTokenRoute = (error: unknown): boolean => {
  if (!(error instanceof OpenImReadError)) return false;
  if (error.details.httpStatus === 404) return true;
  const reply = error.cause as OpenImErrorReply | undefined;
  return error.details.errCode === 1001 && /header must have token/i.test(reply?.errDlt ?? '');
};
