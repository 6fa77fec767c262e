import { checkToken, constantTimeEquals } from '../../../functions/callback/access';
import type { CallbackTokens } from '../../../functions/openim/ports';
import { InvalidTokenError, TokenUnavailableError } from '../../../functions/openim/reply';

const source = (tokens: string[], options: { ageMs?: number; refreshed?: string[] } = {}) => {
  const calls = { refresh: 0 };
  const tokenSource: CallbackTokens = {
    tokens: async () => tokens,
    refresh: async () => {
      calls.refresh += 1;
      return options.refreshed ?? tokens;
    },
    ageMs: () => options.ageMs ?? 0,
  };
  return { tokenSource, calls };
};

describe('checkToken', () => {
  it('accepts the current token', async () => {
    await expect(checkToken('right', source(['right']).tokenSource)).resolves.toBeUndefined();
  });

  it('accepts the previous token during a rotation', async () => {
    await expect(checkToken('old', source(['new', 'old']).tokenSource)).resolves.toBeUndefined();
  });

  it.each([
    ['a wrong token', 'wrong'],
    ['a token of another length', 'right-but-longer'],
    ['a prefix of the token', 'rig'],
    ['an empty token', ''],
  ])('refuses %s with 401 / 20005', async (_label, candidate) => {
    await expect(checkToken(candidate, source(['right']).tokenSource)).rejects.toThrow(InvalidTokenError);
  });

  it('refuses a missing token with 401 / 20005 and explains the URL layout', async () => {
    await expect(checkToken(undefined, source(['right']).tokenSource)).rejects.toThrow(
      /\/<prefix>\/<token>\/<command>/,
    );
  });

  it('re-reads the secret after a miss when the cached tokens are older than 10 s (rotation picked up)', async () => {
    const { tokenSource, calls } = source(['old'], { ageMs: 60_000, refreshed: ['new', 'old'] });
    await expect(checkToken('new', tokenSource)).resolves.toBeUndefined();
    expect(calls.refresh).toBe(1);
  });

  it('does not re-read the secret on a miss when the tokens are fresh (no amplification)', async () => {
    const { tokenSource, calls } = source(['right'], { ageMs: 1_000 });
    await expect(checkToken('wrong', tokenSource)).rejects.toThrow(InvalidTokenError);
    expect(calls.refresh).toBe(0);
  });

  it('answers 503 / 25002 when the token cannot be read at all', async () => {
    const broken: CallbackTokens = {
      tokens: async () => {
        throw new Error('AccessDeniedException');
      },
      refresh: async () => [],
      ageMs: () => Number.POSITIVE_INFINITY,
    };
    await expect(checkToken('any', broken)).rejects.toThrow(TokenUnavailableError);
  });
});

describe('constantTimeEquals', () => {
  it('compares strings of any lengths', () => {
    expect(constantTimeEquals('a', 'a')).toBe(true);
    expect(constantTimeEquals('a', 'ab')).toBe(false);
    expect(constantTimeEquals('', '')).toBe(true);
  });
});
