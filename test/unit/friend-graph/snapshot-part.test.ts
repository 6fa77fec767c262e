import type { FriendListSnapshotDetail } from '../../../functions/contract/events';
import {
  applySnapshotPart,
  changeVersion,
  inRange,
  snapshotChanges,
  snapshotPartProblem,
} from '../../../functions/friend-graph/friend-graph';
import { InMemoryGraph } from '../../helpers/reconciler-fakes';

const observedAt = '2026-12-06T10:00:00.000Z';
const part = (fields: Partial<FriendListSnapshotDetail> = {}): FriendListSnapshotDetail => ({
  schemaVersion: 1,
  operationID: '',
  receivedAt: observedAt,
  observedAt,
  idempotencyKey: 'snap-key',
  snapshot: { id: 'run-1', for: 'friend-graph' },
  ownerUserID: 'o',
  covers: { from: 'b', to: 'm' },
  friends: [{ friendUserID: 'c', remark: 'C' }],
  blackUserIDs: ['d'],
  part: 2,
  parts: 3,
  ...fields,
});
const changeLines = (detail: FriendListSnapshotDetail, stored: string[]) =>
  snapshotChanges(detail, stored).map(
    (change) => `${change.ownerUserID}->${change.otherUserID} ${change.register}=${change.value}`,
  );

describe('inRange', () => {
  it('holds from `from` (included) to `to` (left out), in UTF-16 code unit order, unbounded without `to`', () => {
    expect(['a', 'b', 'l', 'lz', 'm', 'z'].map((id) => inRange(id, { from: 'b', to: 'm' }))).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(['', 'a', '\u{10000}'].map((id) => inRange(id, { from: '' }))).toEqual([true, true, true]);
    // UTF-16 order puts U+10000 (a surrogate pair, 0xD800...) before U+E000; UTF-8 byte order would not.
    expect(inRange('\u{10000}', { from: '', to: '\u{E000}' })).toBe(true);
  });
});

describe('snapshotChanges', () => {
  it('sets every listed pair as a repair would, versioned at the read', () => {
    const changes = snapshotChanges(part(), []);
    expect(new Set(changes.map((change) => change.version))).toEqual(new Set([changeVersion(observedAt, 'snap-key')]));
    expect(changeLines(part(), [])).toEqual([
      'o->c state=friends',
      'o->c remark=C',
      'o->c blacklist=none',
      'o->d state=removed',
      'o->d remark=',
      'o->d blacklist=blocked',
    ]);
  });

  it('makes every stored pair of the range that the part leaves out not a friend and not blocked, and touches none outside it', () => {
    expect(changeLines(part({ friends: [], blackUserIDs: [] }), ['a', 'e', 'lz', 'm', 'z'])).toEqual([
      'o->e state=removed',
      'o->e remark=',
      'o->e blacklist=none',
      'o->lz state=removed',
      'o->lz remark=',
      'o->lz blacklist=none',
    ]);
  });
});

describe('snapshotPartProblem', () => {
  it('passes a part as the contract defines it', () => {
    expect(snapshotPartProblem(part())).toBeUndefined();
    expect(snapshotPartProblem(part({ covers: { from: '' }, friends: [{ friendUserID: 'zz', remark: '' }] }))).toBe(
      undefined,
    );
  });

  it.each([
    ['a friend outside the range', { friends: [{ friendUserID: 'x', remark: '' }] }, /"x", outside its covers range/],
    ['a black outside the range', { blackUserIDs: ['a'] }, /"a", outside/],
    ['no covers', { covers: undefined }, /covers.from/],
    ['an empty range', { covers: { from: 'm', to: 'b' } }, /covers.to/],
    ['friends not a list', { friends: 'c' }, /not a list/],
    ['a friend without remark', { friends: [{ friendUserID: 'c' }] }, /no friendUserID or remark/],
    ['no owner', { ownerUserID: '' }, /ownerUserID/],
    ['no receipt time', { receivedAt: 'never' }, /receivedAt/],
  ])('refuses %s, so nothing is written', (_case, fields, problem) => {
    expect(snapshotPartProblem(part(fields as Partial<FriendListSnapshotDetail>))).toMatch(problem);
  });
});

describe('applySnapshotPart', () => {
  const liveVersion = changeVersion('2026-12-06T10:00:01.000Z', 'live');
  const olderVersion = changeVersion('2026-12-06T09:59:59.000Z', 'old');

  it("replaces the range's pairs and keeps a change received after the read (last writer wins)", async () => {
    const graph = new InMemoryGraph();
    // Before the read: o friends with e, f and z; after it, o removed c and set f's remark.
    for (const other of ['e', 'f', 'z']) {
      await graph.apply({
        ownerUserID: 'o',
        otherUserID: other,
        version: olderVersion,
        register: 'state',
        value: 'friends',
      });
    }
    await graph.apply({
      ownerUserID: 'o',
      otherUserID: 'c',
      version: liveVersion,
      register: 'state',
      value: 'removed',
    });
    await graph.apply({ ownerUserID: 'o', otherUserID: 'f', version: liveVersion, register: 'remark', value: 'F' });
    await graph.apply({
      ownerUserID: 'o',
      otherUserID: 'f',
      version: liveVersion,
      register: 'state',
      value: 'friends',
    });

    const result = await applySnapshotPart(part(), graph);

    const view = await graph.ownerView('o');
    // c: the live delete wins over the part's friend row; its remark register was older, so the part sets it.
    // e: not listed, stored: no longer a friend. f: the live change wins. z: outside the range, untouched.
    expect(Object.fromEntries(view.friends)).toEqual({ f: 'F', z: '' });
    expect([...view.blocked]).toEqual(['d']);
    // c, d, e and f: three registers each; c's state and f's state and remark were newer.
    expect(result).toEqual({ applied: 9, ignored: 3 });
    // Applied again (a redelivery), it changes nothing.
    expect(await applySnapshotPart(part(), graph)).toEqual({ applied: 0, ignored: 12 });
  });
});
