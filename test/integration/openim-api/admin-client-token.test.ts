import { OpenImHttp } from '../../../functions/adapters/openim-api/http-call';
import { Pacer } from '../../../functions/adapters/openim-api/pacer';
import type { CachedToken, TokenCache } from '../../../functions/adapters/openim-api/ports';
import { OpenImReadError } from '../../../functions/reconcile/openim-directory';
import type { ServerVersion } from '../../../infra/local/openim-api/server-versions';
import { type OpenImStandIn, startOpenImStandIn } from '../../../infra/local/openim-api/stand-in';
import { ManualClock, SteppingClock } from '../../helpers/fake-clocks';
import {
  directoryFor,
  loginAsAdmin,
  rawCall,
  SMALL_SEED,
  wholeBlacks,
  wholeFriends,
} from '../../helpers/openim-stand-in';

/** Logging in, keeping the admin token, and logging in again once when OpenIM refuses it. */
const standIns: OpenImStandIn[] = [];
const start = async (serverVersion: ServerVersion, clock?: { now(): number }) => {
  const standIn = await startOpenImStandIn({ serverVersion, seed: SMALL_SEED, clock, tokenExpireSeconds: 3_600 });
  standIns.push(standIn);
  return standIn;
};
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

const memoryCache = (initial?: CachedToken) => {
  const saved: CachedToken[] = [];
  let stored = initial;
  const cache: TokenCache = {
    load: async () => stored,
    save: async (token) => {
      saved.push(token);
      stored = token;
    },
  };
  return { cache, saved };
};

describe('logging in', () => {
  it.each([
    ['v3.7', ['/auth/get_admin_token http-error 404', '/auth/user_token']],
    ['v3.8.0', ['/auth/get_admin_token api-error 1001', '/auth/user_token']],
    ['v3.8.1', ['/auth/get_admin_token']],
    ['main', ['/auth/get_admin_token']],
  ] as const)('on %s finds the login route the server has, once', async (version, logins) => {
    const { directory, trail } = directoryFor(await start(version));
    await wholeBlacks(directory, 'a');
    await wholeBlacks(directory, 'b');
    expect(trail()).toEqual([...logins, '/friend/get_black_list', '/friend/get_black_list']);
  });

  it('skips the probe when told the route', async () => {
    const { directory, trail } = directoryFor(await start('v3.8.0'), { loginRoute: '/auth/user_token' });
    await wholeBlacks(directory, 'a');
    expect(trail()).toEqual(['/auth/user_token', '/friend/get_black_list']);
  });

  it('fails with a wrong secret (1002) or an ID that is not an admin (1001), not retried', async () => {
    const standIn = await start('main');
    await expect(wholeBlacks(directoryFor(standIn, { adminSecret: 'nope' }).directory, 'a')).rejects.toMatchObject({
      message: 'OpenIM /auth/get_admin_token: errCode 1002 NoPermissionError (secret invalid)',
      details: { endpoint: '/auth/get_admin_token', errCode: 1002, retryable: false },
    });
    const notAdmin = directoryFor(standIn, { adminUserID: 'a' });
    await expect(wholeBlacks(notAdmin.directory, 'a')).rejects.toMatchObject({ details: { errCode: 1001 } });
    expect(notAdmin.trail()).toEqual(['/auth/get_admin_token api-error 1001']);
  });

  it('reads the secret only when it logs in', async () => {
    const standIn = await start('main');
    let reads = 0;
    const secret = async () => {
      reads++;
      return 'openIM123';
    };
    const { directory } = directoryFor(standIn, { adminSecret: secret });
    await wholeBlacks(directory, 'a');
    await wholeBlacks(directory, 'b');
    expect(reads).toBe(1);
  });
});

describe('the token cache', () => {
  it('keeps the token between instances: the second one does not log in', async () => {
    const standIn = await start('main');
    const { cache, saved } = memoryCache();
    const first = directoryFor(standIn, { tokenCache: cache });
    await wholeBlacks(first.directory, 'a');
    expect(saved).toEqual([{ token: expect.any(String), expiresAtMs: expect.any(Number) }]);
    expect(saved[0]?.expiresAtMs).toBeCloseTo(first.stepping.now() + 3_600_000, -1); // expireTimeSeconds later
    const second = directoryFor(standIn, { tokenCache: cache });
    await wholeBlacks(second.directory, 'a');
    expect(second.trail()).toEqual(['/friend/get_black_list']);
  });

  it('is not trusted near the token expiry: a new login instead', async () => {
    const standIn = await start('main');
    const clock = new SteppingClock();
    const { cache, saved } = memoryCache({ token: await loginAsAdmin(standIn), expiresAtMs: clock.now() + 60_000 });
    const { directory, trail } = directoryFor(standIn, { tokenCache: cache, clock });
    await wholeBlacks(directory, 'a');
    expect(trail()).toEqual(['/auth/get_admin_token', '/friend/get_black_list']);
    expect(saved).toHaveLength(1);
  });

  it('holding a token OpenIM no longer takes costs one login and one retry', async () => {
    const standIn = await start('main');
    const { cache } = memoryCache({ token: 'not.a.token', expiresAtMs: Date.parse('2030-01-01') });
    const { directory, trail } = directoryFor(standIn, { tokenCache: cache });
    await expect(wholeBlacks(directory, 'a')).resolves.toEqual(['d']);
    expect(trail()).toEqual([
      '/friend/get_black_list api-error 1503', // malformed
      '/auth/get_admin_token',
      '/friend/get_black_list',
    ]);
  });
});

describe('a token refused mid-sweep', () => {
  it.each([1501, 1502, 1503, 1504, 1505, 1506, 1507])('with %i costs one login and one retry', async (errCode) => {
    const standIn = await start('main');
    const { directory, trail } = directoryFor(standIn);
    await wholeBlacks(directory, 'a');
    standIn.faults.next('/friend/get_friend_list', { errCode });
    await expect(wholeFriends(directory, 'b')).resolves.toEqual([{ userID: 'a', remark: '' }]);
    expect(trail()).toEqual([
      '/auth/get_admin_token',
      '/friend/get_black_list',
      `/friend/get_friend_list api-error ${errCode}`,
      '/auth/get_admin_token',
      '/friend/get_friend_list',
    ]);
  });

  it('refused again after the new login fails the read (retryable), with one login only', async () => {
    const standIn = await start('main');
    const { directory, trail } = directoryFor(standIn);
    standIn.faults.next('/friend/get_black_list', { errCode: 1501 }, 2);
    const error = await wholeBlacks(directory, 'a').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenImReadError);
    expect(error).toMatchObject({ details: { errCode: 1501, retryable: true } });
    expect(trail()).toEqual([
      '/auth/get_admin_token',
      '/friend/get_black_list api-error 1501',
      '/auth/get_admin_token',
      '/friend/get_black_list api-error 1501',
    ]);
  });

  it('refused to many calls at once costs one login for all of them', async () => {
    const standIn = await start('main');
    const { directory, trail } = directoryFor(standIn);
    await wholeBlacks(directory, 'a');
    standIn.faults.next('/friend/get_black_list', { errCode: 1507 }, 5);
    await Promise.all(['a', 'b', 'c', 'd', 'a'].map((user) => wholeBlacks(directory, user)));
    expect(trail().filter((entry) => entry.startsWith('/auth/'))).toHaveLength(2);
  });

  it('after it expired (OpenIM 1501) is renewed', async () => {
    const openImClock = new ManualClock(Date.now());
    const standIn = await start('main', openImClock);
    const { directory, trail } = directoryFor(standIn, { clock: new SteppingClock(Date.now()) });
    await wholeBlacks(directory, 'a');
    await openImClock.advance(3_600_000); // the server's hour passes; the client's clock disagrees
    await expect(wholeBlacks(directory, 'a')).resolves.toEqual(['d']);
    expect(trail()).toEqual([
      '/auth/get_admin_token',
      '/friend/get_black_list',
      '/friend/get_black_list api-error 1501',
      '/auth/get_admin_token',
      '/friend/get_black_list',
    ]);
  });

  it('on main, after another login with the same admin ID and 5 minutes (1507), is renewed', async () => {
    const openImClock = new ManualClock(Date.now());
    const standIn = await start('main', openImClock);
    const { directory, trail } = directoryFor(standIn);
    await wholeBlacks(directory, 'a');
    await openImClock.advance(1_000); // (a login in the same second would get the very same token)
    await loginAsAdmin(standIn); // OpenIM's chat server, say, logs in as imAdmin too
    await openImClock.advance(5 * 60_000 - 1);
    await wholeBlacks(directory, 'a'); // still within the 5 minutes
    await openImClock.advance(1);
    await wholeBlacks(directory, 'a');
    expect(trail()).toEqual([
      '/auth/get_admin_token',
      '/friend/get_black_list',
      '/friend/get_black_list',
      '/friend/get_black_list api-error 1507',
      '/auth/get_admin_token',
      '/friend/get_black_list',
    ]);
  });

  it('on v3.8.1 outlives another login with the same admin ID', async () => {
    const openImClock = new ManualClock(Date.now());
    const standIn = await start('v3.8.1', openImClock);
    const { directory, trail } = directoryFor(standIn);
    await wholeBlacks(directory, 'a');
    await openImClock.advance(1_000);
    await loginAsAdmin(standIn);
    await openImClock.advance(30 * 60_000);
    await wholeBlacks(directory, 'a');
    expect(trail()).toEqual(['/auth/get_admin_token', '/friend/get_black_list', '/friend/get_black_list']);
  });
});

describe('several workers sharing one token cache', () => {
  /** Four workers of one sweep, each with its own AdminToken, all with the same cache. */
  const fourWorkers = async (openImClock: ManualClock) => {
    const standIn = await start('main', openImClock);
    const { cache, saved } = memoryCache();
    const workers = [1, 2, 3, 4].map(() =>
      directoryFor(standIn, { tokenCache: cache, clock: new SteppingClock(Date.now()) }),
    );
    const eachCalls = async () => {
      for (const { directory } of workers) await wholeBlacks(directory, 'a');
    };
    const trails = () => workers.flatMap(({ trail }) => trail());
    return { eachCalls, trails, saved };
  };

  it('renew a refused token with one login for all of them: the others take it from the cache', async () => {
    const openImClock = new ManualClock(Date.now());
    const { eachCalls, trails, saved } = await fourWorkers(openImClock);
    await eachCalls();
    await openImClock.advance(3_600_000); // the token expires on the server
    await eachCalls();
    // On main a login ends the admin's earlier tokens 5 minutes later: a second login would refuse
    // the first one's token now, and so on.
    await openImClock.advance(5 * 60_000);
    await eachCalls();
    await openImClock.advance(5 * 60_000);
    await eachCalls();
    expect(trails().filter((entry) => entry.startsWith('/auth/'))).toEqual([
      '/auth/get_admin_token', // the first worker's login; the others read its token from the cache
      '/auth/get_admin_token', // the one renewal
    ]);
    expect(trails().filter((entry) => entry.includes('api-error'))).toEqual(
      Array(4).fill('/friend/get_black_list api-error 1501'), // each worker's copy expired once
    );
    expect(saved).toHaveLength(2);
  });
});

it('never repeats a token OpenIM echoes in errDlt', async () => {
  const standIn = await start('main');
  const raw = await rawCall(standIn, '/friend/get_black_list', {}, { operationID: 'x', token: 'abc.def.ghi' });
  expect(raw.json().errDlt).toBe('jwt parse error, token=abc.def.ghi'); // what OpenIM answers
  const clock = new SteppingClock();
  const http = new OpenImHttp({
    apiUrl: standIn.url,
    clock,
    pacer: new Pacer({ callsPerSecond: 100, maxConcurrentCalls: 1, clock }),
    callTimeoutMs: 1_000,
    maxAttempts: 1,
    maxRetryAfterMs: 1_000,
  });
  const error = await http.post('/friend/get_black_list', {}, 'abc.def.ghi').catch((caught: Error) => caught);
  expect(error.message).toBe(
    'OpenIM /friend/get_black_list: errCode 1503 TokenMalformedError (jwt parse error, token=<token>)',
  );
  expect(JSON.stringify(error.cause)).not.toContain('abc.def.ghi');
});
