import { createTokenSource } from '../../functions/adapters/aws/callback-token';
import { LOCAL_SECRET_ID } from '../../infra/local/local-environment';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import {
  addFriendBody,
  type Harness,
  httpApiEvent,
  invoke,
  startHarness,
  TEST_SETTINGS,
  TOKEN,
  UNHURRIED,
} from '../helpers/harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(TEST_SETTINGS);
});
afterAll(() => harness.stop());
beforeEach(() => {
  harness.emulator.clearFaults();
  harness.emulator.secrets.set(LOCAL_SECRET_ID, { current: TOKEN });
});

/** A token source on a fake clock: `advance(ms)` makes its cache older without waiting. */
const source = (refreshMs = 60_000, secretId = LOCAL_SECRET_ID) => {
  const refreshErrors: string[] = [];
  let now = 0;
  const tokens = createTokenSource({
    secretId,
    refreshMs,
    timeoutMs: UNHURRIED.tokenReadTimeoutMs,
    onRefreshError: (reason) => refreshErrors.push(reason),
    clock: () => now,
  });
  const advance = (ms: number) => {
    now += ms;
  };
  return { tokens, refreshErrors, advance };
};
const secretReads = (secretId: string) =>
  harness.emulator.requests.filter(
    (request) => request.operation === 'GetSecretValue' && request.body.SecretId === secretId,
  ).length;

describe('the callback token source (Secrets Manager)', () => {
  it('reads the token once and serves it from its cache', async () => {
    harness.emulator.secrets.set('cached-secret', { current: 'cached-token' });
    const { tokens } = source(60_000, 'cached-secret');
    expect(await tokens.tokens()).toEqual(['cached-token']);
    expect(await tokens.tokens()).toEqual(['cached-token']);
    expect(secretReads('cached-secret')).toBe(2); // AWSCURRENT and AWSPREVIOUS, once
  });

  it('accepts the current and the previous token after a rotation', async () => {
    harness.emulator.secrets.set(LOCAL_SECRET_ID, { current: 'new-token', previous: TOKEN });
    expect(await source().tokens.tokens()).toEqual(['new-token', TOKEN]);
  });

  it('reads again after the refresh interval, and keeps the cached token when that read fails', async () => {
    const { tokens, refreshErrors, advance } = source(60_000);
    await tokens.tokens();
    advance(60_001);
    harness.emulator.injectFault('GetSecretValue', 'server-error', 2);
    expect(await tokens.tokens()).toEqual([TOKEN]);
    expect(refreshErrors).toHaveLength(1);
  });

  it('waits a whole interval after a failed re-read, whoever asked for it (no read per token miss)', async () => {
    const { tokens, advance } = source(60_000);
    await tokens.tokens();
    advance(20);
    harness.emulator.injectFault('GetSecretValue', 'server-error', 2);
    await expect(tokens.refresh()).rejects.toThrow();
    expect(tokens.ageMs()).toBe(0);
    expect(await tokens.tokens()).toEqual([TOKEN]);
  });

  it('keeps the previous token after a rotation when only re-reading the previous version fails', async () => {
    harness.emulator.secrets.set(LOCAL_SECRET_ID, { current: 'new-token', previous: TOKEN });
    const { tokens, advance } = source(60_000);
    expect(await tokens.tokens()).toEqual(['new-token', TOKEN]);
    advance(60_001);
    harness.emulator.faultPolicy = (operation, body) =>
      operation === 'GetSecretValue' && body.VersionStage === 'AWSPREVIOUS' ? 'server-error' : undefined;
    expect(await tokens.tokens()).toEqual(['new-token', TOKEN]);
  });

  it('fails when the secret cannot be read at all and nothing is cached', async () => {
    harness.emulator.secrets.delete(LOCAL_SECRET_ID);
    await expect(source().tokens.tokens()).rejects.toThrow(/ResourceNotFoundException|can't find/);
  });
});

describe('the handler and the token', () => {
  it.each([
    ['the right token', `/openim/${TOKEN}/callbackAfterAddFriendCommand`, {}, 200, 0],
    [
      'a wrong token',
      '/openim/wrong-token-wrong-token-wrong-token-wrong/callbackAfterAddFriendCommand',
      {},
      401,
      20005,
    ],
    ['a token of the wrong length', `/openim/${TOKEN}x/callbackAfterAddFriendCommand`, {}, 401, 20005],
    ['no token', '/openim/callbackAfterAddFriendCommand', {}, 401, 20005],
    [
      'the token in the query instead of the path',
      '/openim',
      { token: TOKEN, command: 'callbackAfterAddFriendCommand' },
      401,
      20005,
    ],
  ])('answers %s with the right status and errCode', async (_label, path, query, status, errCode) => {
    const handler = await harness.handlerWith();
    const { response, body } = await invoke(
      handler,
      httpApiEvent({ path, body: addFriendBody(), ...(Object.keys(query).length ? { query } : {}) }),
    );
    expect([response.statusCode, decodeOpenImReply(body).errCode]).toEqual([status, errCode]);
  });

  it('picks up a rotated token at once on a miss, and still accepts the previous one', async () => {
    const { buildHandler, createDependencies } = await import('../../functions/handlers/callback');
    const { loadCallbackConfig } = await import('../../functions/handlers/wiring/environment');
    let now = Date.now();
    const { publishTimeoutMs, replyBudgetMs, tokenReadTimeoutMs } = UNHURRIED;
    const config = { ...loadCallbackConfig(), publishTimeoutMs, replyBudgetMs };
    const fresh = buildHandler(createDependencies(config, () => now, tokenReadTimeoutMs));
    expect((await invoke(fresh, httpApiEvent({ body: addFriendBody(), timeEpoch: now }))).response.statusCode).toBe(
      200,
    );
    harness.emulator.secrets.set(LOCAL_SECRET_ID, { current: 'rotated-token', previous: TOKEN });
    // A miss re-reads the secret only when the cache is older than 10 s. (The callbacks arrive on
    // the same fake clock, so their reply budget is not spent by the jump.)
    now += 10_001;
    const rotated = await invoke(
      fresh,
      httpApiEvent({
        path: '/openim/rotated-token/callbackAfterAddFriendCommand',
        body: addFriendBody(),
        timeEpoch: now,
      }),
    );
    const previous = await invoke(fresh, httpApiEvent({ body: addFriendBody(), timeEpoch: now }));
    expect([rotated.response.statusCode, previous.response.statusCode]).toEqual([200, 200]);
  });

  it('answers 503 / 25002 when the token secret cannot be read', async () => {
    harness.emulator.faultPolicy = (operation) => (operation === 'GetSecretValue' ? 'server-error' : undefined);
    const handler = await harness.handlerWith();
    const { response, body } = await invoke(handler, httpApiEvent({ body: addFriendBody() }));
    expect([response.statusCode, decodeOpenImReply(body)]).toEqual([
      503,
      expect.objectContaining({ actionCode: 1, errCode: 25002 }),
    ]);
  });
});
