import { MAX_MESSAGE_BYTES, parseFriendCallback } from '../../../functions/openim/callback-body';
import { InvalidFieldError } from '../../../functions/openim/reply';
import { agree, WRONG_MESSAGE_TYPES, WRONG_TYPES } from './callback-samples';

/** The delete, remark and remove-black callbacks, and user IDs in any callback (callback-body.test.ts: the rest). */

describe('parseFriendCallback: callbackAfterDeleteFriendCommand', () => {
  const deleteFriend = { callbackCommand: 'callbackAfterDeleteFriendCommand', ownerUserID: '1', friendUserID: '2' };
  const parse = (body: Record<string, unknown>) => parseFriendCallback('callbackAfterDeleteFriendCommand', body);

  it('returns the owner and the removed friend', () => {
    expect(parse(deleteFriend)).toEqual({
      command: 'callbackAfterDeleteFriendCommand',
      ownerUserID: '1',
      friendUserID: '2',
    });
  });

  it.each(['ownerUserID', 'friendUserID'])('rejects a body without %s', (field) => {
    const body: Record<string, unknown> = { ...deleteFriend };
    delete body[field];
    expect(() => parse(body)).toThrow(new RegExp(`${field}: expected a non-empty string, got nothing`));
  });

  it.each(WRONG_TYPES)('rejects a friendUserID that is %s', (_label, value) => {
    expect(() => parse({ ...deleteFriend, friendUserID: value })).toThrow(InvalidFieldError);
  });
});

describe.each(['callbackAfterSetFriendRemarkCommand', 'callbackAfterSetFriendRemark'] as const)(
  'parseFriendCallback: %s',
  (command) => {
    const remark = { callbackCommand: command, ownerUserID: '1', friendUserID: '2', remark: 'Bob (work)' };
    const parse = (body: Record<string, unknown>) => parseFriendCallback(command, body);

    it('returns the owner, the friend and the remark, keeping the command as sent', () => {
      expect(parse(remark)).toEqual({ command, ownerUserID: '1', friendUserID: '2', remark: 'Bob (work)' });
    });

    it('accepts an empty remark (cleared)', () => {
      expect(parse({ ...remark, remark: '' })).toMatchObject({ remark: '' });
    });

    it.each(WRONG_MESSAGE_TYPES)('rejects a remark that is %s', (_label, value) => {
      expect(() => parse({ ...remark, remark: value })).toThrow(/remark: expected a string \(may be empty\)/);
    });

    it('reads a remark that is absent or null as "" (cleared)', () => {
      const { remark: _omitted, ...body } = remark;
      expect(parse(body)).toMatchObject({ remark: '' });
      expect(parse({ ...remark, remark: null })).toMatchObject({ remark: '' });
    });

    it(`keeps a remark of ${MAX_MESSAGE_BYTES} bytes, and cuts a longer one, saying so`, () => {
      expect(parse({ ...remark, remark: 'a'.repeat(MAX_MESSAGE_BYTES) })).not.toHaveProperty('altered');
      expect(parse({ ...remark, remark: 'b'.repeat(MAX_MESSAGE_BYTES * 2) })).toMatchObject({
        remark: 'b'.repeat(MAX_MESSAGE_BYTES),
        altered: ['remark'],
      });
    });

    it.each(['ownerUserID', 'friendUserID'])('rejects an empty %s', (field) => {
      expect(() => parse({ ...remark, [field]: '' })).toThrow(new RegExp(`${field}: .*got an empty string`));
    });
  },
);

describe('parseFriendCallback: callbackAfterRemoveBlackCommand', () => {
  const removeBlack = { callbackCommand: 'callbackAfterRemoveBlackCommand', ownerUserID: '1', blackUserID: '2' };
  const parse = (body: Record<string, unknown>) => parseFriendCallback('callbackAfterRemoveBlackCommand', body);

  it('returns the owner and the unblocked user', () => {
    expect(parse(removeBlack)).toEqual({
      command: 'callbackAfterRemoveBlackCommand',
      ownerUserID: '1',
      blackUserID: '2',
    });
  });

  it.each(WRONG_TYPES)('rejects a blackUserID that is %s', (_label, value) => {
    expect(() => parse({ ...removeBlack, blackUserID: value })).toThrow(/blackUserID: expected a non-empty string/);
  });
});

describe('user IDs: any text OpenIM takes (it refuses only ":"), never a lone surrogate', () => {
  const parse = (ownerUserID: string) =>
    parseFriendCallback('callbackAfterDeleteFriendCommand', { ownerUserID, friendUserID: '2' });

  it.each([
    ['a lone high surrogate', 'a\ud83d'],
    ['a lone high surrogate followed by text', '\ud83db'],
    ['a lone low surrogate', '\ude00a'],
    ['surrogates in the wrong order', '\ude00\ud83d'],
  ])('rejects %s with 20002: OpenIM cannot send one, and it cannot be written as UTF-8', (_label, value) => {
    expect(() => parse(value)).toThrow(InvalidFieldError);
    expect(() => parse(value)).toThrow(/ownerUserID: expected well-formed text \(a lone UTF-16 surrogate is not\)/);
  });

  it.each([
    ['digits', '3958741620'],
    ['an emoji (a surrogate pair)', 'user-\ud83d\ude00'],
    ['non-Latin letters', 'пользователь-用户'],
    ['a space and punctuation', 'a b.c@d'],
    ['NUL', 'a\u0000b'],
    ['a tab and a newline (C0)', 'a\tb\n'],
    ['DEL and a C1 control', 'a\u007f\u0085'],
    ['U+FFFE and U+FFFF', 'a\ufffe\uffff'],
  ])('accepts %s, as it is', (_label, value) => {
    expect(parse(value)).toMatchObject({ ownerUserID: value });
  });

  it('checks every imported friend ID, naming its index', () => {
    expect(() =>
      parseFriendCallback('callbackAfterImportFriendsCommand', { ownerUserID: '1', friendUserIDs: ['2', 'x\udc00'] }),
    ).toThrow(/friendUserIDs\[1\]: expected well-formed text/);
  });

  it('checks the agree callback wire name blackUserID', () => {
    expect(() =>
      parseFriendCallback('callbackAfterAddFriendAgreeCommand', { ...agree, blackUserID: '\ud800' }),
    ).toThrow(/blackUserID: expected well-formed text/);
  });
});
