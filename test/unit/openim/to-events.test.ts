import type { FriendCallback } from '../../../functions/openim/callback-body';
import { MAX_DETAIL_BYTES } from '../../../functions/openim/callback-body';
import { idempotencyKey, toFriendEvents } from '../../../functions/openim/to-events';

const meta = { operationID: 'op-1', receivedAt: new Date('2026-11-25T10:00:00.000Z'), deliveryId: 'request-1' };

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
          idempotencyKey: idempotencyKey('callbackAfterAddFriendCommand', 'request-1', meta.receivedAt),
          fromUserID: '1',
          toUserID: '2',
          reqMsg: 'Hi',
        },
      },
    ]);
  });

  it('marks every event of test traffic synthetic, import parts included, and no other', () => {
    const callback: FriendCallback = {
      command: 'callbackAfterImportFriendsCommand',
      ownerUserID: 'synthetic:1',
      friendUserIDs: Array.from({ length: 30_000 }, (_, index) => `synthetic:${index}`),
    };
    const events = toFriendEvents(callback, { ...meta, synthetic: true });
    expect(events.length).toBeGreaterThan(1);
    expect(events.every(({ detail }) => 'synthetic' in detail && detail.synthetic === true)).toBe(true);
    expect(toFriendEvents(callback, meta).some(({ detail }) => 'synthetic' in detail)).toBe(false);
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
          idempotencyKey: idempotencyKey('callbackAfterDeleteFriendCommand', 'request-1', meta.receivedAt),
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
            idempotencyKey: idempotencyKey(command, 'request-1', meta.receivedAt),
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
          idempotencyKey: idempotencyKey('callbackAfterRemoveBlackCommand', 'request-1', meta.receivedAt),
          ownerUserID: '1',
          blackUserID: '2',
        },
      },
    ]);
  });

  it('gives every part of a split import the key of its delivery with :<part>', () => {
    const ids = Array.from({ length: 20_000 }, (_, index) => `user-${String(index).padStart(15, '0')}`);
    const events = toFriendEvents(
      { command: 'callbackAfterImportFriendsCommand', ownerUserID: 'o', friendUserIDs: ids },
      meta,
    );
    const key = idempotencyKey('callbackAfterImportFriendsCommand', 'request-1', meta.receivedAt);
    expect(events.map((event) => event.detail.idempotencyKey)).toEqual(events.map((_, index) => `${key}:${index + 1}`));
  });
});

describe('idempotencyKey: one per delivery', () => {
  const importAB: FriendCallback = {
    command: 'callbackAfterImportFriendsCommand',
    ownerUserID: 'A',
    friendUserIDs: ['B'],
  };
  const keyOf = (callback: FriendCallback, delivery: Partial<typeof meta>) =>
    toFriendEvents(callback, { ...meta, ...delivery })[0]?.detail.idempotencyKey;

  it('differs for two deliveries of the same content with the same operationID (two real actions)', () => {
    const first = keyOf(importAB, { deliveryId: 'request-1' });
    const second = keyOf(importAB, { deliveryId: 'request-2', receivedAt: new Date('2026-11-25T10:00:03.000Z') });
    expect(second).not.toBe(first);
  });

  it('differs for two deliveries that share a request id but not the receipt time', () => {
    expect(keyOf(importAB, { receivedAt: new Date('2026-11-25T10:00:00.001Z') })).not.toBe(keyOf(importAB, {}));
  });

  it('is the same whenever the event of one delivery is built, whatever the operationID says', () => {
    expect(keyOf(importAB, { operationID: 'another' })).toBe(keyOf(importAB, {}));
    expect(keyOf(importAB, {})).toBe(idempotencyKey('callbackAfterImportFriendsCommand', 'request-1', meta.receivedAt));
  });

  it.each([
    ['the command', ['d', 'r', new Date(1)]],
    ['the request id', ['c', 'r2', new Date(1)]],
    ['the receipt time', ['c', 'r', new Date(2)]],
  ] as const)('changes when %s changes', (_label, [command, deliveryId, receivedAt]) => {
    expect(idempotencyKey(command, deliveryId, receivedAt)).not.toBe(idempotencyKey('c', 'r', new Date(1)));
  });

  it('is pinned: hex SHA-256 of [command, request id, receipt epoch ms]', () => {
    expect(
      idempotencyKey('callbackAfterAddFriendCommand', 'Qx9mZj2hoAMEa0Q=', new Date('2026-11-25T10:00:00.000Z')),
    ).toBe('37a4b53664ac4bfc858cf3e90f2dd1eff575e2d06cd8d9655e5db6ecc6a36137');
  });
});

describe('alteredFields', () => {
  const add: FriendCallback = {
    command: 'callbackAfterAddFriendCommand',
    fromUserID: '1',
    toUserID: '2',
    reqMsg: 'Hi',
  };

  it('is absent when every field is what OpenIM sent', () => {
    expect(toFriendEvents(add, meta)[0]?.detail).not.toHaveProperty('alteredFields');
  });

  it('names operationID when the header was kept in a safe form, and the messages that were cut', () => {
    const [event] = toFriendEvents({ ...add, altered: ['reqMsg'] }, { ...meta, operationIDAltered: true });
    expect(event?.detail.alteredFields).toEqual(['operationID', 'reqMsg']);
    expect(event?.detail).not.toHaveProperty('altered');
  });

  it('is on every part of a split import', () => {
    const ids = Array.from({ length: 20_000 }, (_, index) => `user-${String(index).padStart(15, '0')}`);
    const events = toFriendEvents(
      { command: 'callbackAfterImportFriendsCommand', ownerUserID: 'o', friendUserIDs: ids },
      { ...meta, operationIDAltered: true },
    );
    expect(events.length).toBeGreaterThan(1);
    for (const event of events) expect(event.detail.alteredFields).toEqual(['operationID']);
  });
});
