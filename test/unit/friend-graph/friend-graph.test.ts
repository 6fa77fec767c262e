import type { FriendEvent } from '../../../functions/contract/events';
import { changesOf, changeVersion, readPair } from '../../../functions/friend-graph/friend-graph';

const envelope = (detailType: string, detail: Record<string, unknown>) =>
  ({
    version: '0',
    id: 'id',
    'detail-type': detailType,
    source: 'openim',
    account: '1',
    time: '2026-11-25T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      schemaVersion: 1,
      operationID: '',
      receivedAt: '2026-11-25T10:00:00.000Z',
      idempotencyKey: 'k',
      ...detail,
    },
  }) as unknown as FriendEvent;

const version = '2026-11-25T10:00:00.000Z#k';

describe('changesOf', () => {
  it("a request sets only the applicant's request register: no friend row of either side changes", () => {
    const event = envelope('AfterAddFriend', {
      callbackCommand: 'callbackAfterAddFriendCommand',
      fromUserID: 'a',
      toUserID: 'b',
      reqMsg: '',
    });
    expect(changesOf(event)).toEqual([
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'request', value: 'pending' },
    ]);
  });

  it('an accept makes both rows friends and answers the request (and the reverse one); it leaves remarks alone', () => {
    const agree = envelope('AfterAddFriendAgree', {
      callbackCommand: 'callbackAfterAddFriendAgreeCommand',
      fromUserID: 'a',
      toUserID: 'b',
      handleResult: 1,
      handleMsg: '',
    });
    expect(
      changesOf(agree).map(
        (change) => `${change.ownerUserID}->${change.otherUserID} ${change.register}:${change.value}`,
      ),
    ).toEqual(['a->b state:friends', 'b->a state:friends', 'a->b request:none', 'b->a request:none']);
  });

  it('an import makes both rows of each pair friends and touches no request', () => {
    const imported = envelope('AfterImportFriends', {
      callbackCommand: 'callbackAfterImportFriendsCommand',
      ownerUserID: 'o',
      friendUserIDs: ['a', 'b'],
      part: 1,
      parts: 1,
    });
    const pairs = (event: FriendEvent) =>
      changesOf(event).map(
        (change) => `${change.ownerUserID}->${change.otherUserID}:${change.register}=${change.value}`,
      );
    expect(pairs(imported)).toEqual([
      'o->a:state=friends',
      'a->o:state=friends',
      'o->b:state=friends',
      'b->o:state=friends',
    ]);
  });

  it("a delete removes only the owner's entry and clears its remark", () => {
    const event = envelope('AfterDeleteFriend', {
      callbackCommand: 'callbackAfterDeleteFriendCommand',
      ownerUserID: 'a',
      friendUserID: 'b',
    });
    expect(changesOf(event)).toEqual([
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'state', value: 'removed' },
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'remark', value: '' },
    ]);
  });

  it.each(['callbackAfterSetFriendRemarkCommand', 'callbackAfterSetFriendRemark'])(
    'a remark (%s) sets only the remark register',
    (callbackCommand) => {
      const event = envelope('AfterSetFriendRemark', {
        callbackCommand,
        ownerUserID: 'a',
        friendUserID: 'b',
        remark: 'B',
      });
      expect(changesOf(event)).toEqual([
        { ownerUserID: 'a', otherUserID: 'b', version, register: 'remark', value: 'B' },
      ]);
    },
  );

  it('an unblock sets only the blacklist register, never the friendship', () => {
    const event = envelope('AfterRemoveBlack', {
      callbackCommand: 'callbackAfterRemoveBlackCommand',
      ownerUserID: 'a',
      blackUserID: 'b',
    });
    expect(changesOf(event)).toEqual([
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'blacklist', value: 'none' },
    ]);
  });
});

describe('changesOf a repair (reconciler)', () => {
  const repair = (detailType: string, detail: Record<string, unknown>) =>
    envelope(detailType, { observedAt: '2026-11-25T10:00:00.000Z', ...detail });

  it('a present friendship sets the friend row and its remark, at the time OpenIM was read', () => {
    const event = repair('FriendshipReconciled', { ownerUserID: 'a', friendUserID: 'b', present: true, remark: 'B' });
    expect(changesOf(event)).toEqual([
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'state', value: 'friends' },
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'remark', value: 'B' },
    ]);
  });

  it('an absent friendship removes the row and clears its remark, as a delete does', () => {
    const event = repair('FriendshipReconciled', { ownerUserID: 'a', friendUserID: 'b', present: false, remark: '' });
    expect(changesOf(event)).toEqual([
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'state', value: 'removed' },
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'remark', value: '' },
    ]);
  });

  it.each([
    [true, 'blocked'],
    [false, 'none'],
  ])('a blacklist entry (present: %s) sets the blacklist register to %s, nothing else', (present, value) => {
    const event = repair('BlacklistReconciled', { ownerUserID: 'a', blackUserID: 'b', present });
    expect(changesOf(event)).toEqual([{ ownerUserID: 'a', otherUserID: 'b', version, register: 'blacklist', value }]);
  });
});

describe('changeVersion', () => {
  it('normalizes receivedAt so that versions compare as times', () => {
    expect(changeVersion('2026-11-25T10:00:00Z', 'k')).toBe('2026-11-25T10:00:00.000Z#k');
    expect(changeVersion('2026-11-25T09:00:00.5Z', 'k') < changeVersion('2026-11-25T10:00:00Z', 'k')).toBe(true);
  });

  it('breaks a tie on the receive time by the idempotency key', () => {
    expect(changeVersion('2026-11-25T10:00:00Z', 'a') < changeVersion('2026-11-25T10:00:00Z', 'b')).toBe(true);
  });
});

describe('readPair', () => {
  it('reads the registers as OpenIM has the pair', () => {
    expect(readPair({ state: 'friends', request: 'none', remark: 'Bob', blacklist: 'none' })).toEqual({
      friendRow: true,
      requestPending: false,
      remark: 'Bob',
      blacklist: 'none',
    });
    expect(readPair({ state: 'removed', request: 'pending', remark: '' })).toEqual({
      friendRow: false,
      requestPending: true,
      remark: '',
      blacklist: undefined,
    });
    expect(readPair({})).toEqual({ friendRow: false, requestPending: false, remark: '', blacklist: undefined });
  });

  it('reads an entry written before requests had a register of their own (state: requested) as no friend row, request pending', () => {
    expect(readPair({ state: 'requested', stateVersion: 'v' })).toMatchObject({
      friendRow: false,
      requestPending: true,
    });
    expect(readPair({ state: 'requested', request: 'none' })).toMatchObject({
      friendRow: false,
      requestPending: false,
    });
  });
});
