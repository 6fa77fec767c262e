import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerVersion } from '../../../infra/local/openim-api/server-versions';
import { type OpenImStandIn, startOpenImStandIn } from '../../../infra/local/openim-api/stand-in';
import { adminCall, loginAsAdmin, rawCall, SMALL_SEED } from '../../helpers/openim-stand-in';

/** OpenIM's write routes with their real semantics, and the after-callbacks they fire. */
interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
let receiver: Server;
let received: Received[];
let callbackUrl: string;
beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/openim/token`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const standIns: OpenImStandIn[] = [];
let token: string;
const start = async (serverVersion: ServerVersion = 'main') => {
  received = [];
  const standIn = await startOpenImStandIn({ serverVersion, seed: SMALL_SEED, callbackUrl });
  standIns.push(standIn);
  token = await loginAsAdmin(standIn);
  return standIn;
};
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

const write = async (standIn: OpenImStandIn, path: string, body: unknown) => {
  const reply = await rawCall(standIn, path, body, { operationID: `op-${path}`, token });
  await standIn.webhooks?.idle();
  return reply.json();
};
const rowsOf = (standIn: OpenImStandIn, owner: string) => standIn.model.friendRows(owner).map((row) => ({ ...row }));
const commands = () => received.map((request) => request.path.split('/').at(-1));

describe('friend requests', () => {
  it('add_friend stores a request (no row) and fires AfterAddFriend as OpenIM posts it', async () => {
    const standIn = await start();
    expect(
      await write(standIn, '/friend/add_friend', { fromUserID: 'b', toUserID: 'c', reqMsg: 'hi <3' }),
    ).toMatchObject({ errCode: 0 });
    expect(standIn.model.isFriend('b', 'c') || standIn.model.isFriend('c', 'b')).toBe(false);
    expect(received).toEqual([
      {
        path: '/openim/token/callbackAfterAddFriendCommand',
        headers: expect.objectContaining({
          operationid: 'op-/friend/add_friend',
          'content-type': 'application/json; charset=utf-8',
        }),
        body: '{"callbackCommand":"callbackAfterAddFriendCommand","fromUserID":"b","toUserID":"c","reqMsg":"hi \\u003c3"}\n',
      },
    ]);
  });

  it('add_friend_response accepting makes both rows (apply, by the applicant) and fires AfterAddFriendAgree', async () => {
    const standIn = await start();
    await write(standIn, '/friend/add_friend', { fromUserID: 'b', toUserID: 'c' });
    expect(
      await write(standIn, '/friend/add_friend_response', { fromUserID: 'b', toUserID: 'c', handleResult: 1 }),
    ).toMatchObject({ errCode: 0 });
    for (const [owner, friend] of [
      ['b', 'c'],
      ['c', 'b'],
    ]) {
      expect(rowsOf(standIn, owner as string)).toContainEqual(
        expect.objectContaining({
          friendUserID: friend,
          addSource: 2,
          operatorUserID: 'b',
          remark: '',
          isPinned: false,
        }),
      );
    }
    expect(received.at(-1)?.body).toBe(
      '{"callbackCommand":"callbackAfterAddFriendAgreeCommand","fromUserID":"b","blackUserID":"c","HandleResult":1,"HandleMsg":""}\n',
    );
    expect(
      await write(standIn, '/friend/add_friend_response', { fromUserID: 'b', toUserID: 'c', handleResult: 1 }),
    ).toMatchObject({ errCode: 1001 });
  });

  it('refusing makes no row and fires nothing; v3.8.0 does not fire AfterAddFriendAgree either', async () => {
    const standIn = await start('v3.8.0');
    await write(standIn, '/friend/add_friend', { fromUserID: 'b', toUserID: 'c' });
    await write(standIn, '/friend/add_friend', { fromUserID: 'c', toUserID: 'd' });
    await write(standIn, '/friend/add_friend_response', { fromUserID: 'b', toUserID: 'c', handleResult: -1 });
    await write(standIn, '/friend/add_friend_response', { fromUserID: 'c', toUserID: 'd', handleResult: 1 });
    expect(standIn.model.isFriend('b', 'c')).toBe(false);
    expect(standIn.model.isFriend('d', 'c')).toBe(true);
    expect(commands()).toEqual(['callbackAfterAddFriendCommand', 'callbackAfterAddFriendCommand']);
  });
});

describe('friend rows', () => {
  it('import_friend makes both rows (import, by the admin) and fires AfterImportFriends', async () => {
    const standIn = await start();
    await write(standIn, '/friend/import_friend', { ownerUserID: 'd', friendUserIDs: ['b', 'c'] });
    expect(standIn.model.friendIDs('d')).toEqual(['b', 'c']);
    expect(rowsOf(standIn, 'b')).toContainEqual(
      expect.objectContaining({ friendUserID: 'd', addSource: 1, operatorUserID: 'imAdmin' }),
    );
    expect(received.map((request) => request.body)).toEqual([
      '{"callbackCommand":"callbackAfterImportFriendsCommand","ownerUserID":"d","friendUserIDs":["b","c"]}\n',
    ]);
    expect(await write(standIn, '/friend/import_friend', { ownerUserID: 'd', friendUserIDs: ['ghost'] })).toMatchObject(
      { errCode: 1004 },
    );
    expect(await write(standIn, '/friend/import_friend', { ownerUserID: 'd', friendUserIDs: ['d'] })).toMatchObject({
      errCode: 1301,
    });
  });

  it("delete_friend removes the owner's row only", async () => {
    const standIn = await start();
    await write(standIn, '/friend/delete_friend', { ownerUserID: 'a', friendUserID: 'b' });
    expect(standIn.model.isFriend('a', 'b')).toBe(false);
    expect(standIn.model.isFriend('b', 'a')).toBe(true);
    expect(commands()).toEqual(['callbackAfterDeleteFriendCommand']);
  });

  it('set_friend_remark changes one direction (1004 for a non-friend) and fires AfterSetFriendRemark', async () => {
    const standIn = await start();
    await write(standIn, '/friend/set_friend_remark', { ownerUserID: 'b', friendUserID: 'a', remark: 'Al' });
    expect(rowsOf(standIn, 'b')).toEqual([expect.objectContaining({ friendUserID: 'a', remark: 'Al' })]);
    expect(rowsOf(standIn, 'a').find((row) => row.friendUserID === 'b')?.remark).toBe('');
    expect(
      await write(standIn, '/friend/set_friend_remark', { ownerUserID: 'b', friendUserID: 'd', remark: 'x' }),
    ).toMatchObject({ errCode: 1004 });
    expect(commands()).toEqual(['callbackAfterSetFriendRemarkCommand']);
  });

  it('update_friends pins (pinned first), renames and sets ex, and fires nothing', async () => {
    const standIn = await start();
    await write(standIn, '/friend/update_friends', {
      ownerUserID: 'a',
      friendUserIDs: ['c'],
      isPinned: { value: false },
    });
    await write(standIn, '/friend/update_friends', {
      ownerUserID: 'a',
      friendUserIDs: ['b'],
      isPinned: { value: true },
      remark: { value: 'Bee' },
      ex: { value: '{}' },
    });
    expect(rowsOf(standIn, 'a')).toEqual([
      expect.objectContaining({ friendUserID: 'b', isPinned: true, remark: 'Bee', ex: '{}' }),
      expect.objectContaining({ friendUserID: 'c', isPinned: false, remark: 'C <3' }),
    ]);
    expect(received).toEqual([]);
  });
});

describe('black lists', () => {
  it('add_black fires nothing (a second one breaks the unique index: 500); remove_black fires on v3.8.1+', async () => {
    const standIn = await start();
    expect(await write(standIn, '/friend/add_black', { ownerUserID: 'b', blackUserID: 'c', ex: '' })).toMatchObject({
      errCode: 0,
    });
    expect(await write(standIn, '/friend/add_black', { ownerUserID: 'b', blackUserID: 'c' })).toMatchObject({
      errCode: 500,
    });
    expect(received).toEqual([]);
    await write(standIn, '/friend/remove_black', { ownerUserID: 'b', blackUserID: 'c' });
    await write(standIn, '/friend/remove_black', { ownerUserID: 'b', blackUserID: 'c' }); // not there: still fires
    expect(standIn.model.blackLists.has('b', 'c')).toBe(false);
    expect(received.map((request) => request.body)).toEqual(
      Array(2).fill('{"callbackCommand":"callbackAfterRemoveBlackCommand","ownerUserID":"b","blackUserID":"c"}\n'),
    );
    const older = await start('v3.8.0');
    await write(older, '/friend/remove_black', { ownerUserID: 'a', blackUserID: 'd' });
    expect(received).toEqual([]);
  });
});

describe('webhooks lost on the way', () => {
  it('drops the chosen ones, in code or over the control endpoint', async () => {
    const standIn = await start();
    standIn.webhooks?.drop('callbackAfterDeleteFriendCommand');
    const dropped = await rawCall(standIn, '/_standin/drop_webhooks', { callbackCommand: '*', count: 1 }, {});
    expect(dropped.status).toBe(200);
    await write(standIn, '/friend/delete_friend', { ownerUserID: 'a', friendUserID: 'b' }); // by the first rule
    await write(standIn, '/friend/set_friend_remark', { ownerUserID: 'b', friendUserID: 'a', remark: 'x' }); // by '*'
    await write(standIn, '/friend/delete_friend', { ownerUserID: 'b', friendUserID: 'a' });
    expect(commands()).toEqual(['callbackAfterDeleteFriendCommand']);
    expect(standIn.webhooks?.dropped.map((body) => body.callbackCommand)).toEqual([
      'callbackAfterDeleteFriendCommand',
      'callbackAfterSetFriendRemarkCommand',
    ]);
  });
});

describe('users', () => {
  it('are registered with an admin token (v3.8+) or with the secret and no token (v3.7)', async () => {
    const standIn = await start();
    expect(await write(standIn, '/user/user_register', { users: [{ userID: 'e' }] })).toMatchObject({ errCode: 0 });
    expect(await write(standIn, '/user/user_register', { users: [{ userID: 'e' }] })).toMatchObject({ errCode: 1102 });
    const older = await start('v3.7');
    const reply = await rawCall(older, '/user/user_register', { secret: 'openIM123', users: [{ userID: 'e' }] });
    expect(reply.json()).toMatchObject({ errCode: 0 });
    expect(older.model.hasUser('e')).toBe(true);
  });

  it('vanish through the control endpoint, leaving no row or black entry behind', async () => {
    const standIn = await start();
    const reply = await rawCall(standIn, '/_standin/delete_user', { userID: 'd' }, {});
    expect(reply.json()).toEqual({ deleted: true } as never);
    expect(standIn.model.blackLists.has('a', 'd')).toBe(false);
    expect(
      (
        await adminCall(standIn, '/user/get_all_users_uid', { pagination: { pageNumber: 1, showNumber: 9 } }, token)
      ).json().data?.userIDs,
    ).not.toContain('d');
  });
});

it('faults are set and cleared over the control endpoint', async () => {
  const standIn = await start();
  const set = await rawCall(
    standIn,
    '/_standin/faults',
    { route: '/friend/get_friend_id', errCode: 1507, times: 1 },
    {},
  );
  expect(set.status).toBe(200);
  expect((await adminCall(standIn, '/friend/get_friend_id', { userID: 'a' }, token)).json().errCode).toBe(1507);
  expect((await adminCall(standIn, '/friend/get_friend_id', { userID: 'a' }, token)).json().errCode).toBe(0);
  await rawCall(standIn, '/_standin/faults', { route: '/friend/get_friend_id', status: 500, times: 5 }, {});
  await rawCall(standIn, '/_standin/faults', undefined, {}, 'DELETE');
  expect((await adminCall(standIn, '/friend/get_friend_id', { userID: 'a' }, token)).status).toBe(200);
  const refused = await rawCall(standIn, '/_standin/faults', { route: 'x', errCode: 1 }, {});
  expect([refused.status, refused.text]).toEqual([
    400,
    '{"message":"route must be a path such as /friend/get_friend_list"}',
  ]);
});
