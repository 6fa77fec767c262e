import {
  asCallbackBody,
  MAX_IMPORTED_FRIENDS,
  MAX_MESSAGE_BYTES,
  MAX_USER_ID_BYTES,
  parseFriendCallback,
} from '../../../functions/openim/callback-body';
import { InvalidFieldError, MalformedBodyError } from '../../../functions/openim/reply';
import { agree, WRONG_MESSAGE_TYPES, WRONG_TYPES } from './callback-samples';

const add = { callbackCommand: 'callbackAfterAddFriendCommand', fromUserID: '1', toUserID: '2', reqMsg: 'Hi' };
const importFriends = {
  callbackCommand: 'callbackAfterImportFriendsCommand',
  ownerUserID: '1',
  friendUserIDs: ['2', '3'],
};

describe('asCallbackBody', () => {
  it.each([[[1]], ['text'], [42], [null], [true]])('rejects %p, which is not a JSON object, with 20001', (value) => {
    expect(() => asCallbackBody(value)).toThrow(MalformedBodyError);
  });

  it('accepts a JSON object', () => {
    expect(asCallbackBody({ a: 1 })).toEqual({ a: 1 });
  });
});

describe('parseFriendCallback: callbackAfterAddFriendCommand', () => {
  const parse = (body: Record<string, unknown>) => parseFriendCallback('callbackAfterAddFriendCommand', body);

  it('returns the fields of a valid body and ignores unknown extra fields', () => {
    expect(parse({ ...add, extra: { nested: true } })).toEqual({
      command: 'callbackAfterAddFriendCommand',
      fromUserID: '1',
      toUserID: '2',
      reqMsg: 'Hi',
    });
  });

  it('accepts an empty request message', () => {
    expect(parse({ ...add, reqMsg: '' }).command).toBe('callbackAfterAddFriendCommand');
  });

  it.each(['fromUserID', 'toUserID'])('rejects a body without %s, naming the field', (field) => {
    const body: Record<string, unknown> = { ...add };
    delete body[field];
    expect(() => parse(body)).toThrow(InvalidFieldError);
    expect(() => parse(body)).toThrow(new RegExp(`^invalid field: ${field}: expected .*got nothing`));
  });

  describe.each(['fromUserID', 'toUserID'])('user ID %s', (field) => {
    it.each(WRONG_TYPES)('rejects %s', (_label, value) => {
      expect(() => parse({ ...add, [field]: value })).toThrow(new RegExp(`${field}: expected a non-empty string`));
    });

    it('rejects an empty string', () => {
      expect(() => parse({ ...add, [field]: '' })).toThrow(/got an empty string/);
    });

    it(`accepts ${MAX_USER_ID_BYTES} bytes and rejects one more`, () => {
      expect(() => parse({ ...add, [field]: 'é'.repeat(MAX_USER_ID_BYTES / 2) })).not.toThrow();
      expect(() => parse({ ...add, [field]: `${'é'.repeat(MAX_USER_ID_BYTES / 2)}x` })).toThrow(/at most 256 bytes/);
    });
  });

  it.each(WRONG_MESSAGE_TYPES)('rejects a reqMsg that is %s', (_label, value) => {
    expect(() => parse({ ...add, reqMsg: value })).toThrow(/reqMsg: expected a string \(may be empty\)/);
  });

  it('reads a reqMsg that is absent or null as "" (a decorative field never refuses the callback)', () => {
    const { reqMsg: _omitted, ...body } = add;
    expect(parse(body)).toEqual({
      command: 'callbackAfterAddFriendCommand',
      fromUserID: '1',
      toUserID: '2',
      reqMsg: '',
    });
    expect(parse({ ...add, reqMsg: null })).toMatchObject({ reqMsg: '' });
  });

  it(`keeps a reqMsg of ${MAX_MESSAGE_BYTES} bytes, and cuts a longer one to ${MAX_MESSAGE_BYTES} bytes, saying so`, () => {
    expect(parse({ ...add, reqMsg: 'a'.repeat(MAX_MESSAGE_BYTES) })).not.toHaveProperty('altered');
    expect(parse({ ...add, reqMsg: `${'a'.repeat(MAX_MESSAGE_BYTES - 1)}é` })).toMatchObject({
      reqMsg: 'a'.repeat(MAX_MESSAGE_BYTES - 1), // é would not fit whole: cut on the character boundary
      altered: ['reqMsg'],
    });
  });
});

describe('parseFriendCallback: callbackAfterAddFriendAgreeCommand', () => {
  const parse = (body: Record<string, unknown>) => parseFriendCallback('callbackAfterAddFriendAgreeCommand', body);

  it('reads the wire names blackUserID, HandleResult and HandleMsg', () => {
    expect(parse(agree)).toEqual({
      command: 'callbackAfterAddFriendAgreeCommand',
      fromUserID: '1',
      toUserID: '2',
      handleResult: 1,
      handleMsg: 'ok',
    });
  });

  it('also accepts the camelCase variants toUserID, handleResult and handleMsg', () => {
    const body = {
      callbackCommand: agree.callbackCommand,
      fromUserID: '1',
      toUserID: '2',
      handleResult: 1,
      handleMsg: '',
    };
    expect(parse(body)).toMatchObject({ toUserID: '2', handleResult: 1, handleMsg: '' });
  });

  it('prefers the wire name when both spellings are present', () => {
    expect(parse({ ...agree, toUserID: 'other' })).toMatchObject({ toUserID: '2' });
  });

  it('rejects a body with neither blackUserID nor toUserID, naming both', () => {
    const { blackUserID: _omitted, ...body } = agree;
    expect(() => parse(body)).toThrow(/blackUserID or toUserID: expected a non-empty string, got nothing/);
  });

  it.each([
    ['a string', '1'],
    ['a fraction', 1.5],
    ['null', null],
    ['beyond int32', 2 ** 31],
  ])('rejects a HandleResult that is %s', (_label, value) => {
    expect(() => parse({ ...agree, HandleResult: value })).toThrow(/HandleResult: expected a 32-bit integer/);
  });

  it.each(WRONG_MESSAGE_TYPES)('rejects a HandleMsg that is %s', (_label, value) => {
    expect(() => parse({ ...agree, HandleMsg: value })).toThrow(/HandleMsg: expected a string/);
  });

  it.each([0, 2, -1])('rejects a HandleResult of %d: OpenIM fires this callback only on accept (1)', (value) => {
    expect(() => parse({ ...agree, HandleResult: value })).toThrow(InvalidFieldError);
    expect(() => parse({ ...agree, HandleResult: value })).toThrow(/HandleResult: expected 1 .*got/);
  });

  it('rejects a camelCase handleResult that is not 1 too', () => {
    const { HandleResult: _omitted, ...body } = agree;
    expect(() => parse({ ...body, handleResult: 0 })).toThrow(/handleResult: expected 1/);
  });

  it('cuts a HandleMsg over the length bound, saying so as handleMsg', () => {
    expect(parse({ ...agree, HandleMsg: 'a'.repeat(MAX_MESSAGE_BYTES + 1) })).toMatchObject({
      handleMsg: 'a'.repeat(MAX_MESSAGE_BYTES),
      altered: ['handleMsg'],
    });
  });

  it('reads an absent HandleResult as 1: the command itself says the request was accepted', () => {
    const { HandleResult: _omitted, ...body } = agree;
    expect(parse(body)).toMatchObject({ handleResult: 1 });
  });
});

describe('parseFriendCallback: callbackAfterImportFriendsCommand', () => {
  const parse = (body: Record<string, unknown>) => parseFriendCallback('callbackAfterImportFriendsCommand', body);

  it('returns the owner and the new friends', () => {
    expect(parse(importFriends)).toEqual({
      command: 'callbackAfterImportFriendsCommand',
      ownerUserID: '1',
      friendUserIDs: ['2', '3'],
    });
  });

  it("turns friendUserIDs null (Go's empty slice) into []", () => {
    expect(parse({ ...importFriends, friendUserIDs: null })).toMatchObject({ friendUserIDs: [] });
  });

  it('rejects a missing friendUserIDs', () => {
    expect(() => parse({ callbackCommand: importFriends.callbackCommand, ownerUserID: '1' })).toThrow(
      /friendUserIDs: expected an array of user IDs or null, got nothing/,
    );
  });

  it.each([
    ['a string', '2,3'],
    ['an object', { 0: '2' }],
    ['a number', 2],
  ])('rejects a friendUserIDs that is %s', (_label, value) => {
    expect(() => parse({ ...importFriends, friendUserIDs: value })).toThrow(InvalidFieldError);
  });

  it('rejects a friend ID that is a number, naming its index', () => {
    expect(() => parse({ ...importFriends, friendUserIDs: ['2', 6127384950] })).toThrow(
      /friendUserIDs\[1\]: expected a non-empty string, got the number 6127384950/,
    );
  });

  it(`accepts ${MAX_IMPORTED_FRIENDS} IDs and rejects one more`, () => {
    const ids = Array.from({ length: MAX_IMPORTED_FRIENDS }, (_, index) => String(index + 1));
    expect(parse({ ...importFriends, friendUserIDs: ids })).toMatchObject({ friendUserIDs: ids });
    expect(() => parse({ ...importFriends, friendUserIDs: [...ids, 'x'] })).toThrow(/at most 100000 IDs/);
  });

  it.each(WRONG_TYPES)('rejects an ownerUserID that is %s', (_label, value) => {
    expect(() => parse({ ...importFriends, ownerUserID: value })).toThrow(/ownerUserID: expected a non-empty string/);
  });
});
