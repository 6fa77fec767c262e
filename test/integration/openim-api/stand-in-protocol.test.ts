import type { ServerVersion } from '../../../infra/local/openim-api/server-versions';
import { type OpenImStandIn, startOpenImStandIn } from '../../../infra/local/openim-api/stand-in';
import { ManualClock } from '../../helpers/fake-clocks';
import { adminCall, loginAsAdmin, rawCall, SMALL_SEED } from '../../helpers/openim-stand-in';

/** The stand-in speaks OpenIM's admin API (docs/openim-admin-api.md) byte for byte: headers, envelopes, errors, pages, per version. */
const standIns: OpenImStandIn[] = [];
const start = async (serverVersion: ServerVersion = 'main', options: Parameters<typeof startOpenImStandIn>[0] = {}) => {
  const standIn = await startOpenImStandIn({ serverVersion, seed: SMALL_SEED, ...options });
  standIns.push(standIn);
  return standIn;
};
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

describe('headers', () => {
  it('refuses a call without operationID (1001), before anything else', async () => {
    const reply = await rawCall(await start(), '/friend/get_black_list', {}, {});
    expect([reply.status, reply.text]).toEqual([
      200,
      '{"errCode":1001,"errMsg":"ArgsError","errDlt":"header must have operationID"}',
    ]);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('refuses a call without a token (1001), with a malformed (1503), forged (1505) or expired (1501) one', async () => {
    const clock = new ManualClock(Date.now());
    const standIn = await start('main', { clock, tokenExpireSeconds: 60 });
    const call = (token?: string) =>
      rawCall(standIn, '/friend/get_black_list', {}, { operationID: 'op', ...(token ? { token } : {}) });
    expect((await call()).json()).toMatchObject({ errCode: 1001, errDlt: 'header must have token' });
    expect((await call('garbage')).json()).toMatchObject({ errCode: 1503, errMsg: 'TokenMalformedError' });
    const token = await loginAsAdmin(standIn);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
    expect((await call(forged)).json()).toMatchObject({ errCode: 1505, errDlt: `jwt parse error, token=${forged}` });
    await clock.advance(60_000);
    expect((await call(token)).json()).toMatchObject({ errCode: 1501, errMsg: 'TokenExpiredError' });
  });

  it('on v3.8.x checks the token before routing: an unknown route is 1001 without one, 404 with one', async () => {
    for (const version of ['v3.8.0', 'v3.8.1', 'main'] as const) {
      const standIn = await start(version);
      const without = await rawCall(standIn, '/friend/no_such_route', {});
      expect(without.json()).toMatchObject({ errCode: 1001, errDlt: 'header must have token' });
      const withToken = await adminCall(standIn, '/friend/no_such_route', {});
      expect([withToken.status, withToken.text]).toEqual([404, '404 page not found']);
    }
  });

  it('on v3.7 answers 404 for an unknown route, token or not (so also for the v3.8 routes)', async () => {
    const standIn = await start('v3.7');
    for (const path of ['/auth/get_admin_token', '/friend/get_incremental_friends', '/friend/nope']) {
      const reply = await rawCall(standIn, path, {});
      expect([path, reply.status, reply.text]).toEqual([path, 404, '404 page not found']);
    }
  });

  it('answers 404 for any method but POST', async () => {
    const reply = await rawCall(await start(), '/friend/get_black_list', undefined, { operationID: 'x' }, 'GET');
    expect(reply.status).toBe(404);
  });
});

describe('replies', () => {
  it('write every field, null for an empty list, and escape as Go does', async () => {
    const standIn = await start('main', { clock: { now: () => Date.parse('2026-12-01T10:00:00Z') } });
    const token = await loginAsAdmin(standIn);
    const empty = await adminCall(
      standIn,
      '/friend/get_black_list',
      { userID: 'b', pagination: { pageNumber: 1, showNumber: 10 } },
      token,
    );
    expect(empty.text).toBe('{"errCode":0,"errMsg":"","errDlt":"","data":{"blacks":null,"total":0}}');
    const list = await adminCall(
      standIn,
      '/friend/get_friend_list',
      { userID: 'a', pagination: { pageNumber: 1, showNumber: 1 } },
      token,
    );
    expect(list.text).toBe(
      '{"errCode":0,"errMsg":"","errDlt":"","data":{"friendsInfo":[{"ownerUserID":"a","remark":"C \\u003c3","createTime":1796119200,' +
        '"friendUser":{"userID":"c","nickname":"","faceURL":"","ex":"","createTime":0,"appMangerLevel":0,"globalRecvMsgOpt":0},' +
        '"addSource":1,"operatorUserID":"imAdmin","ex":"","isPinned":true}],"total":2}}',
    );
    const blacks = await adminCall(
      standIn,
      '/friend/get_black_list',
      { userID: 'a', pagination: { pageNumber: 1, showNumber: 10 } },
      token,
    );
    expect(blacks.json().data).toEqual({
      blacks: [
        {
          ownerUserID: 'a',
          createTime: 1796119200,
          blackUserInfo: { userID: 'd', nickname: '', faceURL: '', ex: '' },
          addSource: 0,
          operatorUserID: 'imAdmin',
          ex: '',
        },
      ],
      total: 1,
    });
  });

  it('leave data out for a write (an empty response struct)', async () => {
    const standIn = await start();
    const reply = await adminCall(standIn, '/friend/remove_black', { ownerUserID: 'a', blackUserID: 'd' });
    expect(reply.text).toBe('{"errCode":0,"errMsg":"","errDlt":""}');
  });

  it('page with skip/limit and no sort: past the end is null, page 0 or no pagination is 1001', async () => {
    const standIn = await start();
    const token = await loginAsAdmin(standIn);
    const page = (pagination: unknown) => adminCall(standIn, '/user/get_all_users_uid', { pagination }, token);
    expect((await page({ pageNumber: 2, showNumber: 4 })).json().data).toEqual({ total: 6, userIDs: ['d', '用户'] });
    expect((await page({ pageNumber: 3, showNumber: 4 })).json().data).toEqual({ total: 6, userIDs: null });
    expect((await page({ pageNumber: 0, showNumber: 4 })).json()).toMatchObject({
      errCode: 1001,
      errDlt: 'pageNumber is invalid',
    });
    expect((await page(null)).json()).toMatchObject({ errCode: 1001, errDlt: 'pagination is empty' });
  });
});

describe('the friend-list version log (get_incremental_friends)', () => {
  it('answers full without a known version, equal at the same one, then the changes with their sort marker', async () => {
    const standIn = await start();
    const token = await loginAsAdmin(standIn);
    const since = (versionID: string, version: number) =>
      adminCall(standIn, '/friend/get_incremental_friends', { userID: 'a', versionID, version }, token);
    const first = (await since('', 0)).json().data as { versionID: string; version: number };
    expect(first).toEqual({
      version: 1,
      versionID: first.versionID,
      full: true,
      delete: null,
      insert: null,
      update: null,
      sortVersion: 0,
    });
    expect((await since(first.versionID, 1)).json().data).toMatchObject({
      full: false,
      delete: null,
      insert: null,
      update: null,
    });
    await adminCall(
      standIn,
      '/friend/update_friends',
      { ownerUserID: 'a', friendUserIDs: ['b'], isPinned: { value: true } },
      token,
    );
    const changed = await since(first.versionID, 1);
    expect(changed.json().data).toMatchObject({ version: 2, full: false, delete: null, insert: null, sortVersion: 2 });
    expect(changed.text).toContain('"update":[{"ownerUserID":"a","remark":"","createTime":');
    expect((await since(first.versionID, 0)).json().data).toMatchObject({ full: true });
    expect((await since(first.versionID, 3)).json().data).toMatchObject({ full: true }); // ahead of the server
    expect((await since('f'.repeat(24), 1)).json().data).toMatchObject({ full: true, versionID: first.versionID });
  });
});

describe('request bodies', () => {
  it("are decoded as Go decodes them: keys in any case, a wrong type is 1001 with Go's message", async () => {
    const standIn = await start();
    const token = await loginAsAdmin(standIn);
    const anyCase = await adminCall(standIn, '/friend/get_friend_id', { USERID: 'a' }, token);
    expect(anyCase.json().data).toEqual({ friendIDs: ['c', 'b'] });
    const wrong = await adminCall(standIn, '/friend/get_full_friend_user_ids', { userID: 'a', idHash: '1' }, token);
    expect(wrong.json()).toEqual({
      errCode: 1001,
      errMsg:
        'json: cannot unmarshal string into Go struct field relation.GetFullFriendUserIDsReq.idHash of type uint64',
      errDlt: '',
    });
    const notJson = await adminCall(standIn, '/friend/get_friend_id', '{"userID":', token);
    expect(notJson.json().errCode).toBe(1001);
    const duplicates = await adminCall(
      standIn,
      '/friend/get_designated_friends',
      { ownerUserID: 'a', friendUserIDs: ['b', 'b'] },
      token,
    );
    expect(duplicates.json()).toMatchObject({ errCode: 1001, errDlt: 'friend userID repeated' });
  });

  it('take an idHash of 64 bits exactly', async () => {
    const standIn = await start();
    const token = await loginAsAdmin(standIn);
    await adminCall(standIn, '/friend/import_friend', { ownerUserID: 'd', friendUserIDs: ['用户'] }, token);
    const exact = await adminCall(
      standIn,
      '/friend/get_full_friend_user_ids',
      { userID: 'd', idHash: 14693797707897875956n },
      token,
    );
    expect(exact.json().data).toMatchObject({ equal: true, userIDs: null });
    const rounded = await adminCall(
      standIn,
      '/friend/get_full_friend_user_ids',
      '{"userID":"d","idHash":14693797707897876000}',
      token,
    );
    expect(rounded.json().data).toMatchObject({ equal: false, userIDs: ['用户'] });
  });
});

describe('the optional rate limiter (main)', () => {
  it('answers 429 with Retry-After and OpenIM body beyond its rate, before any check', async () => {
    const clock = new ManualClock(Date.now());
    const standIn = await start('main', { clock, rateLimit: { callsPerSecond: 1, retryAfterSeconds: 2 } });
    await rawCall(standIn, '/friend/get_black_list', {});
    const refused = await rawCall(standIn, '/friend/get_black_list', {}, {});
    expect([refused.status, refused.headers.get('retry-after'), refused.text]).toEqual([
      429,
      '2',
      '{"errCode":429,"errMsg":"too many requests, please try again later","errDlt":""}',
    ]);
    await clock.advance(1_000);
    expect((await rawCall(standIn, '/friend/get_black_list', {})).status).toBe(200);
  });

  it('exists on main only', async () => {
    await expect(startOpenImStandIn({ serverVersion: 'v3.8.1', rateLimit: { callsPerSecond: 1 } })).rejects.toThrow(
      /only OpenIM main/,
    );
  });
});
