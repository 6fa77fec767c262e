import { createHash, timingSafeEqual } from 'node:crypto';
import { toSourceAllowList } from '../contract/settings';
import type { CallbackTokens } from '../openim/ports';
import { InvalidTokenError, SourceNotAllowedError, TokenUnavailableError } from '../openim/reply';

/** Returns a check of API Gateway's source IP against the CIDRs; none configured allows all. */
export const createSourceCheck = (cidrs: string[]): ((sourceIp: string | undefined) => void) => {
  if (cidrs.length === 0) return () => undefined;
  const allowed = toSourceAllowList(cidrs);
  return (sourceIp) => {
    if (sourceIp === undefined || !allowed.allows(sourceIp)) {
      throw new SourceNotAllowedError(`source ${sourceIp ?? 'unknown'} is not in the allow-list`);
    }
  };
};

/** A miss refreshes the tokens at most this often, so a rotation is picked up within seconds. */
const MIN_REFRESH_AFTER_MISS_MS = 10_000;

/** Throws 401 / 20005 unless `candidate` is one of the valid tokens (compared in constant time). */
export const checkToken = async (candidate: string | undefined, source: CallbackTokens): Promise<void> => {
  if (candidate === undefined) {
    throw new InvalidTokenError('the URL must be /<prefix>/<token>/<command> (or /<prefix>/<token>?command=)');
  }
  const tokens = await source.tokens().catch((error: unknown) => {
    throw new TokenUnavailableError({ cause: error });
  });
  if (matchesAny(candidate, tokens)) return;
  if (source.ageMs() > MIN_REFRESH_AFTER_MISS_MS) {
    const refreshed = await source.refresh().catch(() => tokens);
    if (matchesAny(candidate, refreshed)) return;
  }
  throw new InvalidTokenError('the token in the URL path is not the current one');
};

const matchesAny = (candidate: string, tokens: string[]): boolean =>
  // Every token is compared, so the time taken does not tell which one (or whether any) matched.
  tokens.map((token) => constantTimeEquals(candidate, token)).includes(true);

/** Hashing first makes the comparison independent of both lengths. */
export const constantTimeEquals = (a: string, b: string): boolean => timingSafeEqual(sha256(a), sha256(b));

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
