import { FRIEND_DETAIL_TYPES } from '../../../functions/contract/events';
import { friendEventPattern } from '../../../functions/contract/rule-pattern';
import { matchesEventPattern, parseEventPattern } from '../../../infra/local/event-pattern';

const envelope = (detail: Record<string, unknown>) => ({
  version: '0',
  id: 'id',
  'detail-type': 'AfterAddFriend',
  source: 'openim',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { schemaVersion: 1, operationID: 'op', ...detail },
});

describe('friendEventPattern', () => {
  it('matches every friend event from openim by default, as PutRule takes it, and leaves out test traffic', () => {
    expect(friendEventPattern()).toEqual({
      source: ['openim'],
      'detail-type': [...FRIEND_DETAIL_TYPES],
      detail: { synthetic: [{ exists: false }] },
    });
  });

  it("takes the stack's source, a choice of detail-types, and test traffic when asked", () => {
    expect(
      friendEventPattern({ source: 'com.example.im', detailTypes: ['AfterDeleteFriend'], includeSynthetic: true }),
    ).toEqual({ source: ['com.example.im'], 'detail-type': ['AfterDeleteFriend'] });
  });

  it('selects, by EventBridge matching, real events by default and synthetic ones only when asked', () => {
    const real = envelope({});
    const synthetic = envelope({ synthetic: true });
    const byDefault = parseEventPattern(JSON.stringify(friendEventPattern()));
    const withSynthetic = parseEventPattern(JSON.stringify(friendEventPattern({ includeSynthetic: true })));
    expect([matchesEventPattern(byDefault, real), matchesEventPattern(byDefault, synthetic)]).toEqual([true, false]);
    expect([matchesEventPattern(withSynthetic, real), matchesEventPattern(withSynthetic, synthetic)]).toEqual([
      true,
      true,
    ]);
  });
});
