import { resolveCommand } from '../../../functions/openim/commands';
import { CommandMismatchError, InvalidFieldError, UnhandledCommandError } from '../../../functions/openim/reply';

const ADD = 'callbackAfterAddFriendCommand';
const AGREE = 'callbackAfterAddFriendAgreeCommand';

describe('resolveCommand', () => {
  it('takes the command from the path when only the path has it', () => {
    expect(resolveCommand({ path: ADD })).toBe(ADD);
  });

  it('takes the command from ?command= when only the query has it (v3.0-3.4.0 servers)', () => {
    expect(resolveCommand({ query: AGREE })).toBe(AGREE);
  });

  it('takes the command from the body when neither path nor query has it', () => {
    expect(resolveCommand({ body: ADD })).toBe(ADD);
  });

  it('accepts path, query and body when all three agree', () => {
    expect(resolveCommand({ path: ADD, query: ADD, body: ADD })).toBe(ADD);
  });

  it.each([
    [{ path: ADD, body: AGREE }, /path says "callbackAfterAddFriendCommand" but body callbackCommand says/],
    [{ query: ADD, body: AGREE }, /\?command= says/],
    [{ path: ADD, query: AGREE }, /path says .* but \?command= says/],
  ])('rejects sources that disagree (%o) with 20003', (sources, detail) => {
    expect(() => resolveCommand(sources)).toThrow(CommandMismatchError);
    expect(() => resolveCommand(sources)).toThrow(detail);
  });

  it('rejects a missing command with 20002', () => {
    expect(() => resolveCommand({})).toThrow(InvalidFieldError);
    expect(() => resolveCommand({ path: '', query: '', body: '' })).toThrow(/missing/);
  });

  it('rejects a callbackCommand that is not a string with 20002', () => {
    expect(() => resolveCommand({ path: ADD, body: 42 })).toThrow(InvalidFieldError);
    expect(() => resolveCommand({ body: null })).toThrow(/callbackCommand: expected a string/);
  });

  it.each([
    'callbackAfterAddFriendAgreeCommand',
    'callbackAfterImportFriendsCommand',
    'callbackAfterDeleteFriendCommand',
    'callbackAfterSetFriendRemarkCommand',
    'callbackAfterSetFriendRemark',
    'callbackAfterRemoveBlackCommand',
  ])('handles %s', (command) => {
    expect(resolveCommand({ path: command, body: command })).toBe(command);
  });

  it.each([
    'callbackBeforeAddFriendCommand',
    'callbackBeforeSetFriendRemarkCommand',
    'callbackAfterAddBlackCommand',
    'anything',
    ADD.toLowerCase(),
  ])('rejects %s, which this endpoint does not handle, with 404 / 20004', (command) => {
    expect(() => resolveCommand({ path: command })).toThrow(UnhandledCommandError);
  });

  const errDltOf = (path: string): string => {
    try {
      resolveCommand({ path });
    } catch (thrown) {
      return (thrown as UnhandledCommandError).errDlt;
    }
    throw new Error('expected a throw');
  };

  it('echoes an unknown command that looks like an OpenIM command name', () => {
    expect(errDltOf('callbackBeforeAddFriendCommand')).toMatch(/^"callbackBeforeAddFriendCommand" is not one of /);
  });

  it.each([
    ['a long value', 'x'.repeat(5_000)],
    ['a value that could be the token', 'q7ZkVw0N4bY2mRt8sLx1cHfJ3pGdE6aK9uTnWvBi5oQ'],
    ['a command-like name with other characters', 'callbackAfter<script>'],
  ])('never echoes %s in the command’s place', (_label, value) => {
    expect(errDltOf(value)).not.toContain(value);
    expect(errDltOf(value)).toMatch(/^a value that is not a command name is not one of /);
  });
});
