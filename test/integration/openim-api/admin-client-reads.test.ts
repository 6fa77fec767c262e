import { OpenImReadError } from '../../../functions/reconcile/openim-directory';
import { type OpenImStandIn, startOpenImStandIn } from '../../../infra/local/openim-api/stand-in';
import { adminCall, directoryFor, SMALL_SEED, wholeBlacks, wholeFriends } from '../../helpers/openim-stand-in';

/** The admin client's reads against the stand-in over a real socket (OpenIM main). */
let standIn: OpenImStandIn;
beforeEach(async () => {
  standIn = await startOpenImStandIn({ serverVersion: 'main', seed: SMALL_SEED });
});
afterEach(() => standIn.close());

describe('the reads', () => {
  it('list users page by page, with the total', async () => {
    const { directory } = directoryFor(standIn);
    await expect(directory.userPage(1, 4)).resolves.toEqual({ userIDs: ['imAdmin', 'a', 'b', 'c'], total: 6 });
    await expect(directory.userPage(2, 4)).resolves.toEqual({ userIDs: ['d', '用户'], total: 6 });
    await expect(directory.userPage(3, 4)).resolves.toEqual({ userIDs: [], total: 6 }); // OpenIM: null
    await expect(directory.userPage(0, 4)).rejects.toThrow(RangeError);
  });

  it("read an owner's friend IDs in OpenIM's order (pinned first), rows with remarks, and the black list", async () => {
    const { directory } = directoryFor(standIn);
    await expect(directory.friendIDs('a')).resolves.toMatchObject({ kind: 'list', userIDs: ['c', 'b'] });
    await expect(wholeFriends(directory, 'a')).resolves.toEqual([
      { userID: 'c', remark: 'C <3' },
      { userID: 'b', remark: '' },
    ]);
    await expect(directory.designatedFriend('a', 'b')).resolves.toEqual({ userID: 'b', remark: '' });
    await expect(directory.designatedFriend('a', 'd')).resolves.toBeUndefined();
    await expect(directory.specifiedBlack('a', 'd')).resolves.toBe('present');
    await expect(directory.specifiedBlack('a', 'b')).resolves.toBe('absent');
    await expect(wholeBlacks(directory, 'a')).resolves.toEqual(['d']);
    await expect(wholeBlacks(directory, 'b')).resolves.toEqual([]);
  });

  it('read every page of a long friend list and a long black list', async () => {
    const ids = Array.from({ length: 1_203 }, (_, at) => `f${at}`);
    const big = await startOpenImStandIn({
      seed: { users: ['o', ...ids], friendships: ids.map((id) => ['o', id]), blacks: ids.map((id) => ['o', id]) },
    });
    try {
      const { directory, trail } = directoryFor(big);
      expect((await wholeFriends(directory, 'o')).map((row) => row.userID)).toEqual(ids);
      expect(await wholeBlacks(directory, 'o')).toEqual(ids);
      expect(trail().filter((endpoint) => endpoint === '/friend/get_friend_list')).toHaveLength(3); // 500 a page
    } finally {
      await big.close();
    }
  });

  it('read a user OpenIM does not have (a vanished user) as empty lists, as OpenIM answers', async () => {
    const { directory } = directoryFor(standIn);
    await expect(directory.friendIDs('ghost')).resolves.toEqual({ kind: 'list', userIDs: [], listHash: 0n });
    await expect(directory.friendIDs('ghost', 0n)).resolves.toEqual({ kind: 'unchanged' });
    await expect(wholeFriends(directory, 'ghost')).resolves.toEqual([]);
    await expect(directory.designatedFriend('ghost', 'a')).resolves.toBeUndefined();
    await expect(wholeBlacks(directory, 'ghost')).resolves.toEqual([]);
    await expect(directory.friendListChanges('ghost', undefined)).resolves.toMatchObject({ kind: 'resync' });
  });

  it('see a user that vanished (the stand-in deletes them) leave every list', async () => {
    const { directory } = directoryFor(standIn);
    const before = await directory.friendIDs('a');
    standIn.model.deleteUser('b');
    expect((await directory.userPage(1, 10)).userIDs).not.toContain('b');
    await expect(directory.friendIDs('b')).resolves.toMatchObject({ kind: 'list', userIDs: [] });
    const after = await directory.friendIDs('a', before.kind === 'list' ? before.listHash : undefined);
    expect(after).toMatchObject({ kind: 'list', userIDs: ['c'] });
  });
});

describe('the hash shortcut', () => {
  it('answers unchanged while the list hashes to the value known, and the list after a change', async () => {
    const { directory } = directoryFor(standIn);
    const first = await directory.friendIDs('a');
    if (first.kind !== 'list') throw new Error('expected a list');
    await expect(directory.friendIDs('a', first.listHash)).resolves.toEqual({ kind: 'unchanged' });
    await adminCall(standIn, '/friend/import_friend', { ownerUserID: 'a', friendUserIDs: ['用户'] });
    await expect(directory.friendIDs('a', first.listHash)).resolves.toMatchObject({
      kind: 'list',
      userIDs: ['c', 'b', '用户'],
    });
  });

  it('sends a known hash above 2^53 exactly (an inexact one would never be equal)', async () => {
    const { directory } = directoryFor(standIn);
    await adminCall(standIn, '/friend/import_friend', { ownerUserID: 'd', friendUserIDs: ['用户'] });
    const list = await directory.friendIDs('d');
    expect(list).toEqual({ kind: 'list', userIDs: ['用户'], listHash: 14693797707897875956n });
    await expect(directory.friendIDs('d', 14693797707897875956n)).resolves.toEqual({ kind: 'unchanged' });
    await expect(directory.friendIDs('d', 14693797707897876000n)).resolves.toMatchObject({ kind: 'list' });
  });
});

describe('an OpenIM error', () => {
  it('in an HTTP 200 reply fails the read with the route and errCode, not retried when retrying cannot help', async () => {
    const { directory, trail } = directoryFor(standIn);
    standIn.faults.next('/friend/get_black_list', { errCode: 1002, errMsg: 'NoPermissionError', errDlt: 'no' });
    const error = await wholeBlacks(directory, 'a').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenImReadError);
    expect(error).toMatchObject({
      message: 'OpenIM /friend/get_black_list: errCode 1002 NoPermissionError (no)',
      details: { endpoint: '/friend/get_black_list', errCode: 1002, httpStatus: 200, retryable: false },
    });
    expect(trail()).toEqual(['/auth/get_admin_token', '/friend/get_black_list api-error 1002']);
  });

  it.each([
    ['errCode 500', { errCode: 500 }, 'api-error 500'],
    ["main's RPC rate limiter (8)", { errCode: 8 }, 'api-error 8'],
    ['a bare 500 after a panic', { status: 500 }, 'http-error 500'],
    ['a 503 from a proxy', { status: 503 }, 'http-error 503'],
  ])('%s is retried with backoff', async (_name, fault, seen) => {
    const { directory, trail, stepping } = directoryFor(standIn);
    standIn.faults.next('/friend/get_black_list', fault, 2);
    await expect(wholeBlacks(directory, 'a')).resolves.toEqual(['d']);
    expect(trail().slice(1)).toEqual([
      `/friend/get_black_list ${seen}`,
      `/friend/get_black_list ${seen}`,
      '/friend/get_black_list',
    ]);
    expect(stepping.sleeps.filter((ms) => ms >= 250)).toEqual([250, 500]); // the backoff
  });

  it('still failing after maxAttempts fails the read as retryable', async () => {
    const { directory, calls } = directoryFor(standIn, { maxAttempts: 3 });
    standIn.faults.next('/friend/get_black_list', { status: 500 }, 3);
    await expect(wholeBlacks(directory, 'a')).rejects.toMatchObject({
      message: 'OpenIM /friend/get_black_list: HTTP 500',
      details: { httpStatus: 500, retryable: true },
    });
    expect(calls.filter((call) => call.endpoint === '/friend/get_black_list').map((call) => call.attempt)).toEqual([
      1, 2, 3,
    ]);
  });

  it('a reply this client cannot read fails the read, naming the field', async () => {
    const { directory } = directoryFor(standIn);
    standIn.faults.next('/user/get_all_users_uid', { errCode: 0 }); // a success envelope without data
    await expect(directory.userPage(1, 10)).rejects.toMatchObject({
      message: expect.stringContaining('OpenIM /user/get_all_users_uid: unexpected reply, userIDs'),
      details: { retryable: false },
    });
  });
});
