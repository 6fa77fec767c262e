import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeAwsError, singleAttemptClientConfig, timeoutSignal } from './clients';

export interface TokenSourceOptions {
  secretId: string;
  /** How long fetched tokens are trusted before the next read (rotation takes effect after it). */
  refreshMs: number;
  timeoutMs: number;
  onRefreshError: (reason: string) => void;
}

/** The tokens a callback may present: the current one, and the previous one during a rotation. */
export interface TokenSource {
  /** The cached tokens; the first call waits for the first read. */
  tokens(): Promise<string[]>;
  /** Reads the secret again now (after a token miss, so a rotation is picked up at once). */
  refresh(): Promise<string[]>;
  /** Milliseconds since the tokens were read (Infinity before the first read). */
  ageMs(): number;
}

/**
 * Reads the callback token from Secrets Manager once, caches it, and refreshes it after
 * `refreshMs`. Both AWSCURRENT and AWSPREVIOUS are accepted, so a rotation never refuses the
 * callbacks of an OpenIM server that still has the old URL. The first read starts at once, so
 * it overlaps the rest of the cold start. A failed refresh keeps the tokens it had.
 */
export const createTokenSource = (options: TokenSourceOptions): TokenSource => {
  const client = new SecretsManagerClient(singleAttemptClientConfig(options.timeoutMs));
  const readStage = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> => {
    try {
      const output = await client.send(new GetSecretValueCommand({ SecretId: options.secretId, VersionStage: stage }), {
        abortSignal: timeoutSignal(options.timeoutMs),
      });
      return output.SecretString?.trim() || undefined;
    } catch (error) {
      // A secret that was never rotated has no AWSPREVIOUS version: that is normal.
      if (stage === 'AWSPREVIOUS') return undefined;
      throw error;
    }
  };
  const read = async (): Promise<string[]> => {
    const [current, previous] = await Promise.all([readStage('AWSCURRENT'), readStage('AWSPREVIOUS')]);
    if (current === undefined) throw new Error('the callback token secret is empty');
    return previous === undefined || previous === current ? [current] : [current, previous];
  };

  let cached: { tokens: string[]; fetchedAt: number } | undefined;
  let inFlight: Promise<string[]> | undefined;
  const refresh = (): Promise<string[]> =>
    (inFlight ??= read()
      .then(
        (tokens) => {
          cached = { tokens, fetchedAt: performance.now() };
          return tokens;
        },
        (error: unknown) => {
          // Keep the tokens we had, and wait a whole interval before the next read, so an
          // unreachable Secrets Manager is not asked again on every call (or every token miss).
          if (cached !== undefined) cached.fetchedAt = performance.now();
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
      if (performance.now() - cached.fetchedAt > options.refreshMs) {
        try {
          return await refresh();
        } catch (error) {
          options.onRefreshError(describeAwsError(error));
        }
      }
      return cached.tokens;
    },
    refresh,
    ageMs: () => (cached === undefined ? Number.POSITIVE_INFINITY : performance.now() - cached.fetchedAt),
  };
};
