import type { FriendEvent } from '../../../functions/contract/events';
import { changesOf, changeVersion } from '../../../functions/friend-graph/friend-graph';

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
  it('a request: the applicant -> recipient entry becomes requested, nothing for the other direction', () => {
    const event = envelope('AfterAddFriend', {
      callbackCommand: 'callbackAfterAddFriendCommand',
      fromUserID: 'a',
      toUserID: 'b',
      reqMsg: '',
    });
    expect(changesOf(event)).toEqual([
      { ownerUserID: 'a', otherUserID: 'b', version, register: 'state', value: 'requested' },
    ]);
  });

  it('an accept and an import make both directions friends', () => {
    const agree = envelope('AfterAddFriendAgree', {
      callbackCommand: 'callbackAfterAddFriendAgreeCommand',
      fromUserID: 'a',
      toUserID: 'b',
      handleResult: 1,
      handleMsg: '',
    });
    const imported = envelope('AfterImportFriends', {
      callbackCommand: 'callbackAfterImportFriendsCommand',
      ownerUserID: 'o',
      friendUserIDs: ['a', 'b'],
      part: 1,
      parts: 1,
    });
    const pairs = (event: FriendEvent) =>
      changesOf(event).map((change) => `${change.ownerUserID}->${change.otherUserID}:${change.value}`);
    expect(pairs(agree)).toEqual(['a->b:friends', 'b->a:friends']);
    expect(pairs(imported)).toEqual(['o->a:friends', 'a->o:friends', 'o->b:friends', 'b->o:friends']);
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
