import { ownerView } from '../../../functions/friend-graph/graph-view';
import { differences } from '../../../functions/reconciler/differences';
import { applyChanges } from '../../../functions/reconciler/friend-list';

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
    );
    expect(found).toEqual([
      { kind: 'remarkChanged', ownerUserID: 'owner', otherUserID: 'renamed', remark: 'new' },
      { kind: 'friendAdded', ownerUserID: 'owner', otherUserID: 'requested', remark: '' },
      { kind: 'friendAdded', ownerUserID: 'owner', otherUserID: 'deleted', remark: 'back' },
      { kind: 'friendRemoved', ownerUserID: 'owner', otherUserID: 'gone' },
      { kind: 'blacklistAdded', ownerUserID: 'owner', otherUserID: 'unblocked' },
      { kind: 'blacklistAdded', ownerUserID: 'owner', otherUserID: 'stranger' },
      { kind: 'blacklistRemoved', ownerUserID: 'owner', otherUserID: 'blocked' },
    ]);
  });

  it('needs no repair for a pair the graph never knew as blocked, nor for a remark never set', () => {
    const graph = ownerView([
      { otherUserID: 'friend', state: 'friends' }, // remark register never written: ""
      { otherUserID: 'unblocked', blacklist: 'none' },
    ]);
    expect(differences('owner', { friends: [{ userID: 'friend', remark: '' }], blacks: [] }, graph)).toEqual([]);
  });

  it('counts an ID listed twice by OpenIM (a shifted page) once', () => {
    const found = differences('owner', { friends: [], blacks: ['x', 'x'] }, ownerView([]));
    expect(found).toEqual([{ kind: 'blacklistAdded', ownerUserID: 'owner', otherUserID: 'x' }]);
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
