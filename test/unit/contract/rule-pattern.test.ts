import { FRIEND_DETAIL_TYPES, SNAPSHOT_DETAIL_TYPES } from '../../../functions/contract/events';
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

describe('friendEventPattern and snapshots', () => {
  const snapshotEvent = (detailType: 'FriendListSnapshot' | 'FriendSnapshotCompleted', subscriber: string) => ({
    ...envelope({ snapshot: { id: 'run-1', for: subscriber } }),
    'detail-type': detailType,
  });
  const matcher = (options: Parameters<typeof friendEventPattern>[0]) => {
    const pattern = parseEventPattern(JSON.stringify(friendEventPattern(options)));
    return (event: unknown) => matchesEventPattern(pattern, event);
  };

  it('leaves every snapshot out by default, test traffic included or not', () => {
    for (const options of [{}, { includeSynthetic: true }, { detailTypes: ['AfterAddFriend'] as const }]) {
      const matches = matcher(options);
      for (const detailType of SNAPSHOT_DETAIL_TYPES) {
        expect(matches(snapshotEvent(detailType, 'friend-graph'))).toBe(false);
      }
    }
  });

  it('adds, with snapshotsFor, the snapshots addressed to that name and no other: a snapshot for B never reaches A', () => {
    for (const includeSynthetic of [false, true]) {
      const subscriberA = matcher({ snapshotsFor: 'A', includeSynthetic });
      const subscriberB = matcher({ snapshotsFor: 'B', includeSynthetic });
      for (const detailType of SNAPSHOT_DETAIL_TYPES) {
        expect([subscriberA(snapshotEvent(detailType, 'A')), subscriberA(snapshotEvent(detailType, 'B'))]).toEqual([
          true,
          false,
        ]);
        expect(subscriberB(snapshotEvent(detailType, 'B'))).toBe(true);
      }
      // The friend events it matched before still reach it, and test traffic only when asked.
      expect(subscriberA(envelope({}))).toBe(true);
      expect(subscriberA(envelope({ synthetic: true }))).toBe(includeSynthetic);
    }
  });

  it('is one pattern PutRule takes: the snapshot detail-types beside the chosen ones, and snapshot.for the name or absent', () => {
    expect(friendEventPattern({ detailTypes: ['AfterDeleteFriend'], snapshotsFor: 'welcome' })).toEqual({
      source: ['openim'],
      'detail-type': ['AfterDeleteFriend', 'FriendListSnapshot', 'FriendSnapshotCompleted'],
      detail: { synthetic: [{ exists: false }], snapshot: { for: ['welcome', { exists: false }] } },
    });
  });

  it.each(['', ' friend-graph', 'a'.repeat(257), 'tab\there'])(
    'refuses the subscriber name %j, naming snapshotsFor',
    (name) => {
      expect(() => friendEventPattern({ snapshotsFor: name })).toThrow(/snapshotsFor/);
    },
  );
});
