import { idHash } from '../../../functions/adapters/openim-api/id-hash';
import type { ServerVersion } from '../../../infra/local/openim-api/server-versions';
import { type OpenImStandIn, startOpenImStandIn } from '../../../infra/local/openim-api/stand-in';
import {
  adminCall,
  directoryFor,
  loginAsAdmin,
  rawCall,
  SMALL_SEED,
  wholeFriends,
} from '../../helpers/openim-stand-in';

/** What the admin client reads on each server generation, and how it copes with their differences. */
const standIns: OpenImStandIn[] = [];
const start = async (serverVersion: ServerVersion) => {
  const standIn = await startOpenImStandIn({ serverVersion, seed: SMALL_SEED });
  standIns.push(standIn);
  return standIn;
};
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

describe('on v3.7 (no hash or incremental routes)', () => {
  it('reads friend IDs with get_friend_id after one 404, hashing the list itself', async () => {
    const { directory, trail } = directoryFor(await start('v3.7'));
    const listHash = idHash(['b', 'c']);
    await expect(directory.friendIDs('a')).resolves.toEqual({ kind: 'list', userIDs: ['b', 'c'], listHash });
    await expect(directory.friendIDs('a', listHash)).resolves.toMatchObject({ kind: 'list', listHash });
    expect(trail()).toEqual([
      '/auth/get_admin_token http-error 404',
      '/auth/user_token',
      '/friend/get_full_friend_user_ids http-error 404',
      '/friend/get_friend_id',
      '/friend/get_friend_id',
    ]);
  });

  it('answers friendListChanges with a resync without a version', async () => {
    const { directory, trail } = directoryFor(await start('v3.7'));
    await expect(directory.friendListChanges('a', undefined)).resolves.toEqual({ kind: 'resync' });
    await expect(directory.friendListChanges('a', { versionID: 'x', version: 3 })).resolves.toEqual({ kind: 'resync' });
    expect(trail().slice(2)).toEqual(['/friend/get_incremental_friends http-error 404']); // asked once
  });

  it('keeps insertion order (no pinned-first sort), reads its 1004 for a designated non-friend as absent, and has no targeted black read', async () => {
    const { directory, trail } = directoryFor(await start('v3.7'));
    await expect(wholeFriends(directory, 'a')).resolves.toEqual([
      { userID: 'b', remark: '' },
      { userID: 'c', remark: 'C <3' },
    ]);
    await expect(directory.designatedFriend('a', 'c')).resolves.toEqual({ userID: 'c', remark: 'C <3' });
    await expect(directory.designatedFriend('a', 'd')).resolves.toBeUndefined();
    await expect(directory.specifiedBlack('a', 'd')).resolves.toBe('noTargetedRead');
    await expect(directory.specifiedBlack('a', 'b')).resolves.toBe('noTargetedRead');
    expect(trail().slice(-3)).toEqual([
      '/friend/get_designated_friends',
      '/friend/get_designated_friends api-error 1004',
      '/friend/get_specified_blacks http-error 404', // asked once
    ]);
  });
});

describe.each(['v3.8.0', 'v3.8.1', 'main'] as const)('on %s', (version) => {
  it('uses the hash shortcut, whatever the reply puts in `version`', async () => {
    const standIn = await start(version);
    const { directory, trail } = directoryFor(standIn);
    const listHash = idHash(['c', 'b']);
    await expect(directory.friendIDs('a')).resolves.toEqual({ kind: 'list', userIDs: ['c', 'b'], listHash });
    await expect(directory.friendIDs('a', listHash)).resolves.toEqual({ kind: 'unchanged' });
    expect(trail().slice(-2)).toEqual(['/friend/get_full_friend_user_ids', '/friend/get_full_friend_user_ids']);
    const raw = await adminCall(standIn, '/friend/get_full_friend_user_ids', { userID: 'a', idHash: 0 });
    const written = version === 'main' ? '"version":1,' : `"version":${listHash},`; // the digits, exactly
    expect(raw.text).toContain(written);
  });

  it('tells changes since a version: inserts, deletes, and the remark and pin changes no webhook reports', async () => {
    const standIn = await start(version);
    const { directory } = directoryFor(standIn);
    const first = await directory.friendListChanges('a', undefined);
    expect(first).toEqual({
      kind: 'resync',
      current: { versionID: expect.stringMatching(/^[0-9a-f]{24}$/), version: 1 },
    });
    if (first.kind !== 'resync' || !first.current) throw new Error('expected a version');
    await expect(directory.friendListChanges('a', first.current)).resolves.toEqual({
      kind: 'changes',
      current: first.current,
      removed: [],
      upserted: [],
    });
    const token = await loginAsAdmin(standIn);
    await adminCall(standIn, '/friend/import_friend', { ownerUserID: 'a', friendUserIDs: ['用户'] }, token);
    await adminCall(standIn, '/friend/delete_friend', { ownerUserID: 'a', friendUserID: 'c' }, token);
    await adminCall(
      standIn,
      '/friend/update_friends',
      { ownerUserID: 'a', friendUserIDs: ['b'], remark: { value: 'Bee' }, isPinned: { value: true } },
      token,
    );
    const changes = await directory.friendListChanges('a', first.current);
    expect(changes).toEqual({
      kind: 'changes',
      current: { versionID: first.current.versionID, version: 4 },
      removed: ['c'],
      upserted: [
        { userID: '用户', remark: '' },
        { userID: 'b', remark: 'Bee' },
      ],
    });
  });

  it('asks for a resync after more than 200 changed IDs, or with a version it does not know', async () => {
    const standIn = await start(version);
    const { directory } = directoryFor(standIn);
    const first = await directory.friendListChanges('a', undefined);
    if (first.kind !== 'resync' || !first.current) throw new Error('expected a version');
    const others = Array.from({ length: 201 }, (_, at) => `n${at}`);
    const token = await loginAsAdmin(standIn);
    await adminCall(standIn, '/user/user_register', { users: others.map((userID) => ({ userID })) }, token);
    await adminCall(standIn, '/friend/import_friend', { ownerUserID: 'a', friendUserIDs: others }, token);
    await expect(directory.friendListChanges('a', first.current)).resolves.toEqual({
      kind: 'resync',
      current: { versionID: first.current.versionID, version: 2 },
    });
    await expect(
      directory.friendListChanges('a', { versionID: 'ffffffffffffffffffffffff', version: 2 }),
    ).resolves.toMatchObject({ kind: 'resync' });
  });
});

it('with friendSyncRoutes off reads a v3.8 server as a v3.7 one', async () => {
  const { directory, trail } = directoryFor(await start('main'), { friendSyncRoutes: false });
  await expect(directory.friendIDs('a')).resolves.toMatchObject({ kind: 'list', userIDs: ['c', 'b'] });
  await expect(directory.friendListChanges('a', undefined)).resolves.toEqual({ kind: 'resync' });
  expect(trail()).toEqual(['/auth/get_admin_token', '/friend/get_friend_id']);
});

it('with friendSyncRoutes on, a 404 for them is an error naming the route', async () => {
  const { directory } = directoryFor(await start('v3.7'), { friendSyncRoutes: true });
  await expect(directory.friendIDs('a')).rejects.toMatchObject({
    message: 'OpenIM /friend/get_full_friend_user_ids: HTTP 404, no such route on this server',
    details: { endpoint: '/friend/get_full_friend_user_ids', httpStatus: 404, retryable: false },
  });
  const raw = await rawCall(standIns[0] as OpenImStandIn, '/friend/get_full_friend_user_ids', {});
  expect([raw.status, raw.text]).toEqual([404, '404 page not found']);
});
