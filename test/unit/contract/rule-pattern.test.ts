import { FRIEND_DETAIL_TYPES } from '../../../functions/contract/events';
import { friendEventPattern } from '../../../functions/contract/rule-pattern';

describe('friendEventPattern', () => {
  it('matches every friend event from openim by default, as PutRule takes it', () => {
    expect(friendEventPattern()).toEqual({ source: ['openim'], 'detail-type': [...FRIEND_DETAIL_TYPES] });
  });

  it("takes the stack's source and a choice of detail-types", () => {
    expect(friendEventPattern({ source: 'com.example.im', detailTypes: ['AfterDeleteFriend'] })).toEqual({
      source: ['com.example.im'],
      'detail-type': ['AfterDeleteFriend'],
    });
  });
});
