import type { FriendCallback } from '../../../functions/openim/callback-body';
import { MAX_DETAIL_BYTES } from '../../../functions/openim/callback-body';
import { idempotencyKey, toFriendEvents } from '../../../functions/openim/to-events';

const meta = { operationID: 'op-1', receivedAt: new Date('2026-11-25T10:00:00.000Z') };

describe('toFriendEvents', () => {
  it('maps callbackAfterAddFriendCommand to one AfterAddFriend event', () => {
    const callback: FriendCallback = {
      command: 'callbackAfterAddFriendCommand',
      fromUserID: '1',
      toUserID: '2',
      reqMsg: 'Hi',
    };
    expect(toFriendEvents(callback, meta)).toEqual([
      {
        detailType: 'AfterAddFriend',
        detail: {
          schemaVersion: 1,
          callbackCommand: 'callbackAfterAddFriendCommand',
          operationID: 'op-1',
          receivedAt: '2026-11-25T10:00:00.000Z',
          idempotencyKey: idempotencyKey('callbackAfterAddFriendCommand', 'op-1', ['1', '2', 'Hi']),
          fromUserID: '1',
          toUserID: '2',
          reqMsg: 'Hi',
        },
      },
    ]);
  });

  it('maps callbackAfterAddFriendAgreeCommand to AfterAddFriendAgree with the accepting user as toUserID', () => {
    const callback: FriendCallback = {
      command: 'callbackAfterAddFriendAgreeCommand',
      fromUserID: '1',
      toUserID: '2',
      handleResult: 1,
      handleMsg: '',
    };
    const [event] = toFriendEvents(callback, meta);
    expect(event).toMatchObject({
      detailType: 'AfterAddFriendAgree',
      detail: { fromUserID: '1', toUserID: '2', handleResult: 1, handleMsg: '', operationID: 'op-1' },
    });
  });

  it('maps a small callbackAfterImportFriendsCommand to one AfterImportFriends event, part 1 of 1', () => {
    const callback: FriendCallback = {
      command: 'callbackAfterImportFriendsCommand',
      ownerUserID: '1',
      friendUserIDs: [],
    };
    const events = toFriendEvents(callback, meta);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      detailType: 'AfterImportFriends',
      detail: { friendUserIDs: [], part: 1, parts: 1 },
    });
    expect(events[0]?.detail.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('splits an import too large for one entry into parts that keep every ID once, in order', () => {
    const ids = Array.from({ length: 20_000 }, (_, index) => `user-${String(index).padStart(15, '0')}`);
    const callback: FriendCallback = {
      command: 'callbackAfterImportFriendsCommand',
      ownerUserID: 'owner',
      friendUserIDs: ids,
    };
    const events = toFriendEvents(callback, meta);

    expect(events.length).toBeGreaterThan(1);
    const details = events.map(
      (event) => event.detail as { friendUserIDs: string[]; part: number; parts: number; idempotencyKey: string },
    );
    expect(details.flatMap((detail) => detail.friendUserIDs)).toEqual(ids);
    expect(details.map((detail) => detail.part)).toEqual(events.map((_, index) => index + 1));
    expect(new Set(details.map((detail) => detail.parts))).toEqual(new Set([events.length]));
    const prefix = details[0]?.idempotencyKey.split(':')[0];
    expect(details.map((detail) => detail.idempotencyKey)).toEqual(events.map((_, index) => `${prefix}:${index + 1}`));
    for (const event of events) {
      expect(Buffer.byteLength(JSON.stringify(event.detail))).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    }
  });
});

describe('toFriendEvents: the rest of the friend lifecycle', () => {
  const common = { schemaVersion: 1, operationID: 'op-1', receivedAt: '2026-11-25T10:00:00.000Z' };

  it('maps callbackAfterDeleteFriendCommand to one AfterDeleteFriend event', () => {
    const callback: FriendCallback = {
      command: 'callbackAfterDeleteFriendCommand',
      ownerUserID: '1',
      friendUserID: '2',
    };
    expect(toFriendEvents(callback, meta)).toEqual([
      {
        detailType: 'AfterDeleteFriend',
        detail: {
          ...common,
          callbackCommand: 'callbackAfterDeleteFriendCommand',
          idempotencyKey: idempotencyKey('callbackAfterDeleteFriendCommand', 'op-1', ['1', '2']),
          ownerUserID: '1',
          friendUserID: '2',
        },
      },
    ]);
  });

  it.each(['callbackAfterSetFriendRemarkCommand', 'callbackAfterSetFriendRemark'] as const)(
    'maps %s to AfterSetFriendRemark, keeping the command verbatim',
    (command) => {
      const callback: FriendCallback = { command, ownerUserID: '1', friendUserID: '2', remark: 'Bob' };
      expect(toFriendEvents(callback, meta)).toEqual([
        {
          detailType: 'AfterSetFriendRemark',
          detail: {
            ...common,
            callbackCommand: command,
            idempotencyKey: idempotencyKey(command, 'op-1', ['1', '2', 'Bob']),
            ownerUserID: '1',
            friendUserID: '2',
            remark: 'Bob',
          },
        },
      ]);
    },
  );

  it('maps callbackAfterRemoveBlackCommand to one AfterRemoveBlack event', () => {
    const callback: FriendCallback = { command: 'callbackAfterRemoveBlackCommand', ownerUserID: '1', blackUserID: '2' };
    expect(toFriendEvents(callback, meta)).toEqual([
      {
        detailType: 'AfterRemoveBlack',
        detail: {
          ...common,
          callbackCommand: 'callbackAfterRemoveBlackCommand',
          idempotencyKey: idempotencyKey('callbackAfterRemoveBlackCommand', 'op-1', ['1', '2']),
          ownerUserID: '1',
          blackUserID: '2',
        },
      },
    ]);
  });

  it('gives two remarks of one pair different keys, so a later remark is never taken for a duplicate', () => {
    const remark = (text: string) =>
      toFriendEvents(
        { command: 'callbackAfterSetFriendRemarkCommand', ownerUserID: '1', friendUserID: '2', remark: text },
        meta,
      )[0]?.detail.idempotencyKey;
    expect(remark('a')).not.toBe(remark('b'));
  });
});

describe('idempotencyKey', () => {
  it('is the same for the same command, operationID and payload (a duplicate delivery)', () => {
    expect(idempotencyKey('c', 'op', ['1', '2'])).toBe(idempotencyKey('c', 'op', ['1', '2']));
  });

  it('does not depend on the time the callback was received', () => {
    const callback: FriendCallback = {
      command: 'callbackAfterAddFriendCommand',
      fromUserID: '1',
      toUserID: '2',
      reqMsg: '',
    };
    const first = toFriendEvents(callback, meta)[0]?.detail.idempotencyKey;
    const later = toFriendEvents(callback, { ...meta, receivedAt: new Date('2027-01-01T00:00:00Z') })[0]?.detail
      .idempotencyKey;
    expect(later).toBe(first);
  });

  it.each([
    ['the command', ['d', 'op', ['1', '2']]],
    ['the operationID', ['c', 'op2', ['1', '2']]],
    ['a payload field', ['c', 'op', ['1', '3']]],
    ['the field boundaries', ['c', 'op', ['12', '']]],
  ] as const)('changes when %s changes', (_label, [command, operationID, payload]) => {
    expect(idempotencyKey(command, operationID, payload)).not.toBe(idempotencyKey('c', 'op', ['1', '2']));
  });

  it('is pinned: a change of the key derivation breaks de-duplication across deployments', () => {
    expect(idempotencyKey('callbackAfterAddFriendCommand', '1646445464564', ['3958741620', '6127384950', 'Hi'])).toBe(
      '09b726f0154242a72bfc5d9b502afe546d1331fb8d7a621b75002025366e6fb2',
    );
  });
});
