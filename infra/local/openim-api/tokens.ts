import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type ApiError,
  errTokenExpired,
  errTokenKicked,
  errTokenMalformed,
  errTokenNotExist,
  errTokenUnknown,
} from './api-error';

/**
 * OpenIM's tokens (`tools/tokenverify`, `rpc/auth`): HS256 JWTs signed with the `share.yml`
 * secret, claims `UserID`, `PlatformID`, `exp`, `iat`, and a server-side table of live tokens.
 * Parsing refuses a malformed token (1503), a bad signature (1505) or an expired one (1501); a
 * token missing from the table is 1507, a kicked one 1506. On main a new admin login keeps that
 * admin's earlier tokens for 5 more minutes only (`DeleteAndSetTemporary`).
 */
export const ADMIN_PLATFORM_ID = 10;
const TEMPORARY_ADMIN_TOKEN_MS = 5 * 60_000;

export interface TokenClaims {
  userID: string;
  platformID: number;
}

interface LiveToken {
  claims: TokenClaims;
  /** When it stops being accepted (main's temporary admin tokens); undefined: until it expires. */
  untilMs?: number;
  kicked: boolean;
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** The JSON claims of a token's payload, or undefined when it is not base64url JSON of an object. */
const readClaims = (payload: string): { UserID?: unknown; PlatformID?: unknown; exp?: unknown } | undefined => {
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? claims : undefined;
  } catch {
    return undefined;
  }
};

export class Tokens {
  private readonly live = new Map<string, LiveToken>();

  constructor(
    private readonly options: {
      secret: string;
      expireSeconds: number;
      /** main: a new admin login turns the admin's earlier tokens into 5-minute ones. */
      revokeEarlierAdminTokens: boolean;
      now: () => number;
    },
  ) {}

  issue(claims: TokenClaims): string {
    const nowMs = this.options.now();
    if (this.options.revokeEarlierAdminTokens && claims.platformID === ADMIN_PLATFORM_ID) {
      for (const token of this.live.values()) {
        if (token.claims.userID === claims.userID && token.untilMs === undefined && !token.kicked) {
          token.untilMs = nowMs + TEMPORARY_ADMIN_TOKEN_MS;
        }
      }
    }
    const body = {
      UserID: claims.userID,
      PlatformID: claims.platformID,
      exp: Math.floor(nowMs / 1000) + this.options.expireSeconds,
      iat: Math.floor(nowMs / 1000) - 5,
    };
    const unsigned = `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(JSON.stringify(body))}`;
    const token = `${unsigned}.${this.sign(unsigned)}`;
    this.live.set(token, { claims, kicked: false });
    return token;
  }

  /** The claims of a token OpenIM would accept now, or the error it answers. */
  parse(token: string): TokenClaims | ApiError {
    const [header, payload, signature, ...rest] = token.split('.');
    const claims = header && payload && signature && rest.length === 0 ? readClaims(payload) : undefined;
    if (!claims) return errTokenMalformed('jwt parse error', { token });
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature ?? '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return errTokenUnknown('jwt parse error', { token });
    }
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= this.options.now()) {
      return errTokenExpired('jwt parse error', { token });
    }
    const live = this.live.get(token);
    if (!live || (live.untilMs !== undefined && live.untilMs <= this.options.now())) return errTokenNotExist();
    if (live.kicked) return errTokenKicked();
    return live.claims;
  }

  /** Every token of the user is refused from now on (1506), as after a force_logout. */
  kick(userID: string): void {
    for (const token of this.live.values()) if (token.claims.userID === userID) token.kicked = true;
  }

  private sign(unsigned: string): string {
    return createHmac('sha256', this.options.secret).update(unsigned).digest('base64url');
  }
}
