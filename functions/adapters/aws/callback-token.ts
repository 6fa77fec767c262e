import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CallbackTokens } from '../../openim/ports';
import { describeAwsError, singleAttemptClientConfig, timeoutSignal } from './clients';

export interface TokenSourceOptions {
  secretId: string;
  /** How long fetched tokens are trusted before the next read (rotation takes effect after it). */
  refreshMs: number;
  timeoutMs: number;
  onRefreshError: (reason: string) => void;
  /** Milliseconds from any origin; the cache's age is measured with it. */
  clock?: () => number;
}

/**
 * Reads the callback token from Secrets Manager once, caches it, and refreshes it after
 * `refreshMs`. Both AWSCURRENT and AWSPREVIOUS are accepted, so a rotation never refuses the
 * callbacks of an OpenIM server that still has the old URL. The first read starts at once, so
 * it overlaps the rest of the cold start. A failed refresh keeps the tokens it had.
 */
export const createTokenSource = (options: TokenSourceOptions): CallbackTokens => {
  const now = options.clock ?? (() => performance.now());
  const client = new SecretsManagerClient(singleAttemptClientConfig(options.timeoutMs));
  const readStage = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> => {
    const output = await client.send(new GetSecretValueCommand({ SecretId: options.secretId, VersionStage: stage }), {
      abortSignal: timeoutSignal(options.timeoutMs),
    });
    return output.SecretString?.trim() || undefined;
  };
  /** The previous token; only "no such version" means none: any other failure keeps the last one read. */
  let lastPrevious: string | undefined;
  const readPrevious = async (): Promise<string | undefined> => {
    try {
      lastPrevious = await readStage('AWSPREVIOUS');
    } catch (error) {
      // A secret that was never rotated has no AWSPREVIOUS version: that is normal.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') lastPrevious = undefined;
    }
    return lastPrevious;
  };
  const read = async (): Promise<string[]> => {
    const [current, previous] = await Promise.all([readStage('AWSCURRENT'), readPrevious()]);
    if (current === undefined) throw new Error('the callback token secret is empty');
    return previous === undefined || previous === current ? [current] : [current, previous];
  };

  let cached: { tokens: string[]; fetchedAt: number } | undefined;
  let inFlight: Promise<string[]> | undefined;
  const refresh = (): Promise<string[]> =>
    (inFlight ??= read()
      .then(
        (tokens) => {
          cached = { tokens, fetchedAt: now() };
          return tokens;
        },
        (error: unknown) => {
          // Keep the tokens we had, and wait a whole interval before the next read, so an
          // unreachable Secrets Manager is not asked again on every call (or every token miss).
          if (cached !== undefined) cached.fetchedAt = now();
          throw error;
        },
      )
      .finally(() => {
        inFlight = undefined;
      }));

  refresh().catch(() => undefined); // started at load; a failure is reported by the next call

  return {
    tokens: async () => {
      if (cached === undefined) return refresh();
      if (now() - cached.fetchedAt > options.refreshMs) {
        try {
          return await refresh();
        } catch (error) {
          options.onRefreshError(describeAwsError(error));
        }
      }
      return cached.tokens;
    },
    refresh,
    ageMs: () => (cached === undefined ? Number.POSITIVE_INFINITY : now() - cached.fetchedAt),
  };
};
