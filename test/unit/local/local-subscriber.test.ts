import { matchesEventPattern, parseEventPattern } from '../../../infra/local/event-pattern';
import { defaultSubscriberPattern, subscriberNameOf } from '../../../infra/local/local-subscriber';

const event = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'id',
  'detail-type': detailType,
  source: 'openim',
  account: '000000000000',
  time: '2026-12-06T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { schemaVersion: 1, ...detail },
});

describe("a local subscriber's name", () => {
  it("is the module file's base name unless --name gives one", () => {
    expect(subscriberNameOf('./mine.ts')).toBe('mine');
    expect(subscriberNameOf('src/welcome-friends.js#onEvent')).toBe('welcome-friends');
    expect(subscriberNameOf('./mine.ts', 'welcome')).toBe('welcome');
  });

  it('refuses one that cannot be a subscriber name, saying which option to use', () => {
    expect(() => subscriberNameOf('./my handler.ts')).toThrow(
      /--subscriber's file name must be a subscriber name.*\(got "my handler"\); give one with --name <name>/,
    );
    expect(() => subscriberNameOf('./mine.ts', '-x')).toThrow(/^--name must be a subscriber name/);
  });
});

describe("a local subscriber's default pattern", () => {
  const matches = (name: string) => {
    const pattern = parseEventPattern(defaultSubscriberPattern('openim', name));
    return (candidate: unknown) => matchesEventPattern(pattern, candidate);
  };

  it('takes the snapshots addressed to its name, and not those addressed to another', () => {
    const mine = matches('mine');
    for (const detailType of ['FriendListSnapshot', 'FriendSnapshotCompleted']) {
      expect(mine(event(detailType, { snapshot: { id: 'run', for: 'mine' } }))).toBe(true);
      expect(mine(event(detailType, { snapshot: { id: 'run', for: 'friend-graph' } }))).toBe(false);
    }
  });

  it('still takes every friend event, test traffic included (local traffic is all test traffic)', () => {
    const mine = matches('mine');
    expect(mine(event('AfterAddFriend', { fromUserID: 'a', toUserID: 'b' }))).toBe(true);
    expect(mine(event('AfterDeleteFriend', { synthetic: true }))).toBe(true);
  });
});
