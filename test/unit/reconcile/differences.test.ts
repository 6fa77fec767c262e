import { ownerView } from '../../../functions/friend-graph/graph-view';
import { MAX_MESSAGE_BYTES } from '../../../functions/openim/callback-body';
import { differences } from '../../../functions/reconcile/differences';
import { applyChanges } from '../../../functions/reconcile/friend-list';

const FRIENDS_READ_AT = new Date(Date.UTC(2026, 10, 26, 3, 0, 0));
const BLACKS_READ_AT = new Date(Date.UTC(2026, 10, 26, 3, 0, 2));
const READ_TIMES = { friendsReadAt: FRIENDS_READ_AT, blacksReadAt: BLACKS_READ_AT };
/** A register version as the graph stores it, received `seconds` after the friend list was read. */
const versionAt = (seconds: number) =>
  `${new Date(FRIENDS_READ_AT.getTime() + seconds * 1000).toISOString()}#${'k'.repeat(64)}`;

describe('differences between OpenIM and the graph', () => {
  const view = ownerView([
    { otherUserID: 'same', state: 'friends', remark: 'S' },
    { otherUserID: 'renamed', state: 'friends', remark: 'old' },
    { otherUserID: 'gone', state: 'friends' },
    { otherUserID: 'requested', state: 'requested' },
    { otherUserID: 'deleted', state: 'removed', remark: '' },
    { otherUserID: 'blocked', blacklist: 'blocked' },
    { otherUserID: 'unblocked', blacklist: 'none' },
  ]);

  it('finds one difference per directed edge, friends first', () => {
    const found = differences(
      'owner',
      {
        friends: [
          { userID: 'same', remark: 'S' },
          { userID: 'renamed', remark: 'new' },
          { userID: 'requested', remark: '' },
          { userID: 'deleted', remark: 'back' },
        ],
        blacks: ['unblocked', 'stranger'],
      },
      view,
      READ_TIMES,
    );
    expect(found).toEqual({
      deferred: [],
      found: [
        { kind: 'remarkChanged', ownerUserID: 'owner', otherUserID: 'renamed', remark: 'new' },
        { kind: 'friendAdded', ownerUserID: 'owner', otherUserID: 'requested', remark: '' },
        { kind: 'friendAdded', ownerUserID: 'owner', otherUserID: 'deleted', remark: 'back' },
        { kind: 'friendRemoved', ownerUserID: 'owner', otherUserID: 'gone' },
        { kind: 'blacklistAdded', ownerUserID: 'owner', otherUserID: 'unblocked' },
        { kind: 'blacklistAdded', ownerUserID: 'owner', otherUserID: 'stranger' },
        { kind: 'blacklistRemoved', ownerUserID: 'owner', otherUserID: 'blocked' },
      ],
    });
  });

  it('needs no repair for a pair the graph never knew as blocked, nor for a remark never set', () => {
    const graph = ownerView([
      { otherUserID: 'friend', state: 'friends' }, // remark register never written: ""
      { otherUserID: 'unblocked', blacklist: 'none' },
    ]);
    expect(
      differences('owner', { friends: [{ userID: 'friend', remark: '' }], blacks: [] }, graph, READ_TIMES),
    ).toEqual({
      found: [],
      deferred: [],
    });
  });

  it('counts an ID listed twice by OpenIM (a shifted page) once', () => {
    const { found } = differences('owner', { friends: [], blacks: ['x', 'x'] }, ownerView([]), READ_TIMES);
    expect(found).toEqual([{ kind: 'blacklistAdded', ownerUserID: 'owner', otherUserID: 'x' }]);
  });

  it('defers a difference whose graph register was set after its list was read; the next sweep decides', () => {
    const graph = ownerView([
      {
        otherUserID: 'deletedAfter',
        state: 'removed',
        stateVersion: versionAt(1),
        remark: '',
        remarkVersion: versionAt(1),
      },
      { otherUserID: 'deletedBefore', state: 'removed', stateVersion: versionAt(-1) },
      {
        otherUserID: 'remarkedAfter',
        state: 'friends',
        stateVersion: versionAt(-9),
        remark: 'new',
        remarkVersion: versionAt(1),
      },
      { otherUserID: 'addedAfter', state: 'friends', stateVersion: versionAt(1) },
      { otherUserID: 'addedSameMillisecond', state: 'friends', stateVersion: versionAt(0) },
      { otherUserID: 'unblockedAfter', blacklist: 'none', blacklistVersion: versionAt(3) },
      // After the friend list's read, before the black list's: the black list saw it.
      { otherUserID: 'blockedBetween', blacklist: 'blocked', blacklistVersion: versionAt(1) },
    ]);
    const openIm = {
      friends: [
        { userID: 'deletedAfter', remark: '' },
        { userID: 'deletedBefore', remark: '' },
        { userID: 'remarkedAfter', remark: 'old' },
      ],
      blacks: ['unblockedAfter'],
    };
    expect(differences('owner', openIm, graph, READ_TIMES)).toEqual({
      found: [
        { kind: 'friendAdded', ownerUserID: 'owner', otherUserID: 'deletedBefore', remark: '' },
        { kind: 'friendRemoved', ownerUserID: 'owner', otherUserID: 'addedSameMillisecond' },
        { kind: 'blacklistRemoved', ownerUserID: 'owner', otherUserID: 'blockedBetween' },
      ],
      deferred: [
        { kind: 'friendAdded', ownerUserID: 'owner', otherUserID: 'deletedAfter', remark: '' },
        { kind: 'remarkChanged', ownerUserID: 'owner', otherUserID: 'remarkedAfter', remark: 'old' },
        { kind: 'friendRemoved', ownerUserID: 'owner', otherUserID: 'addedAfter' },
        { kind: 'blacklistAdded', ownerUserID: 'owner', otherUserID: 'unblockedAfter' },
      ],
    });
  });
});

describe('remarks compared as callbacks carry them (16 KiB, cut on a character boundary)', () => {
  const long = 'é'.repeat(210_000); // 420,000 bytes
  const prefix = 'é'.repeat(MAX_MESSAGE_BYTES / 2);

  it('finds no difference for an unchanged long remark the graph holds the first 16 KiB of', () => {
    const graph = ownerView([{ otherUserID: 'f', state: 'friends', remark: prefix }]);
    for (const row of [
      { userID: 'f', remark: long }, // as OpenIM sent it
      { userID: 'f', remark: prefix, remarkAltered: true as const }, // as the read path cut it
    ]) {
      expect(differences('owner', { friends: [row], blacks: [] }, graph, READ_TIMES).found).toEqual([]);
    }
  });

  it('repairs a long remark with its first 16 KiB, flagged, whether the read path or the comparison cut it', () => {
    const graph = ownerView([{ otherUserID: 'known', state: 'friends', remark: 'short' }]);
    const friends = [
      { userID: 'known', remark: long },
      { userID: 'new', remark: prefix, remarkAltered: true as const },
      { userID: 'whole', remark: prefix },
    ];
    expect(differences('owner', { friends, blacks: [] }, graph, READ_TIMES).found).toEqual([
      { kind: 'remarkChanged', ownerUserID: 'owner', otherUserID: 'known', remark: prefix, remarkAltered: true },
      { kind: 'friendAdded', ownerUserID: 'owner', otherUserID: 'new', remark: prefix, remarkAltered: true },
      { kind: 'friendAdded', ownerUserID: 'owner', otherUserID: 'whole', remark: prefix },
    ]);
  });
});

describe('applyChanges', () => {
  const current = { versionID: 'v', version: 9 };

  it('removes, then adds or updates rows, keeping the order of the rest', () => {
    const rows = applyChanges(
      [
        { userID: 'a', remark: 'A' },
        { userID: 'b', remark: '' },
        { userID: 'c', remark: 'C' },
      ],
      {
        kind: 'changes',
        current,
        removed: ['b'],
        upserted: [
          { userID: 'c', remark: 'C2' },
          { userID: 'd', remark: '' },
        ],
      },
    );
    expect(rows).toEqual([
      { userID: 'a', remark: 'A' },
      { userID: 'c', remark: 'C2' },
      { userID: 'd', remark: '' },
    ]);
  });

  it('changes nothing when applied to a list that already holds the changes', () => {
    const changes = { kind: 'changes' as const, current, removed: ['gone'], upserted: [{ userID: 'x', remark: 'X' }] };
    const once = applyChanges([{ userID: 'gone', remark: '' }], changes);
    expect(applyChanges(once, changes)).toEqual(once);
  });
});
