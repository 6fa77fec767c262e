import { eventLine, summarizeEvent } from '../../../infra/local/event-summary';

describe('summarizeEvent', () => {
  it.each([
    ['AfterAddFriend', { fromUserID: 'a', toUserID: 'b', reqMsg: 'hi' }, 'AfterAddFriend a -> b (request)'],
    ['AfterAddFriendAgree', { fromUserID: 'a', toUserID: 'b' }, 'AfterAddFriendAgree a <-> b (friends now)'],
    [
      'AfterImportFriends',
      { ownerUserID: 'a', friendUserIDs: ['b', 'c'], part: 1, parts: 1 },
      'AfterImportFriends a + 2 friends (b, c)',
    ],
    [
      'AfterImportFriends',
      { ownerUserID: 'a', friendUserIDs: Array(12_345).fill('x'), part: 2, parts: 3 },
      'AfterImportFriends a + 12,345 friends, part 2 of 3',
    ],
    ['AfterDeleteFriend', { ownerUserID: 'a', friendUserID: 'b' }, 'AfterDeleteFriend a removed b'],
    [
      'AfterSetFriendRemark',
      { ownerUserID: 'a', friendUserID: 'b', remark: 'x'.repeat(50) },
      `AfterSetFriendRemark a -> b remark "${'x'.repeat(40)}..."`,
    ],
    ['AfterRemoveBlack', { ownerUserID: 'a', blackUserID: 'b' }, 'AfterRemoveBlack a unblocked b'],
    [
      'FriendshipReconciled',
      { ownerUserID: 'a', friendUserID: 'b', present: false, remark: '' },
      'FriendshipReconciled a -> b absent',
    ],
    ['BlacklistReconciled', { ownerUserID: 'a', blackUserID: 'b', present: true }, 'BlacklistReconciled a blocks b'],
    ['SomethingNew', { x: 1 }, 'SomethingNew'],
  ])('%s', (detailType, detail, expected) => {
    expect(summarizeEvent(detailType, detail)).toBe(expected);
  });

  it('marks the operationID and test traffic, and leaves out an empty operationID', () => {
    const detail = { ownerUserID: 'a', blackUserID: 'b' };
    expect(eventLine('AfterRemoveBlack', { ...detail, operationID: 'op', synthetic: true })).toBe(
      'AfterRemoveBlack a unblocked b [operationID op, synthetic]',
    );
    expect(eventLine('AfterRemoveBlack', { ...detail, operationID: '' })).toBe('AfterRemoveBlack a unblocked b');
  });
});
