import type { FriendDetailType } from '../contract/events';
import { CommandMismatchError, InvalidFieldError, UnhandledCommandError } from './reply';

/** The OpenIM "after" callbacks this endpoint handles, and the detail-type each becomes. */
export const DETAIL_TYPE_BY_COMMAND = {
  callbackAfterAddFriendCommand: 'AfterAddFriend',
  callbackAfterAddFriendAgreeCommand: 'AfterAddFriendAgree',
  callbackAfterImportFriendsCommand: 'AfterImportFriends',
  callbackAfterDeleteFriendCommand: 'AfterDeleteFriend',
  callbackAfterSetFriendRemarkCommand: 'AfterSetFriendRemark',
  // The same callback as sent by v3.4.2 to v3.6.x.
  callbackAfterSetFriendRemark: 'AfterSetFriendRemark',
  callbackAfterRemoveBlackCommand: 'AfterRemoveBlack',
} as const satisfies Record<string, FriendDetailType>;

export type FriendCommand = keyof typeof DETAIL_TYPE_BY_COMMAND;

export const FRIEND_COMMANDS = Object.keys(DETAIL_TYPE_BY_COMMAND) as FriendCommand[];

export const isFriendCommand = (value: string): value is FriendCommand => Object.hasOwn(DETAIL_TYPE_BY_COMMAND, value);

/** Where a command can come from: the URL path (v3.4.2+), `?command=` (v3.0-3.4.0), the body. */
export interface CommandSources {
  path?: string | undefined;
  query?: string | undefined;
  body?: unknown;
}

/** The one command all present sources agree on; it must be one this endpoint handles. */
export const resolveCommand = (sources: CommandSources): FriendCommand => {
  if (sources.body !== undefined && typeof sources.body !== 'string') {
    throw new InvalidFieldError('callbackCommand: expected a string');
  }
  const candidates: [string, unknown][] = [
    ['path', sources.path],
    ['?command=', sources.query],
    ['body callbackCommand', sources.body],
  ];
  const named = candidates.filter(
    (source): source is [string, string] => typeof source[1] === 'string' && source[1] !== '',
  );

  const [first] = named;
  if (first === undefined) {
    throw new InvalidFieldError('callbackCommand: missing from the path, ?command= and the body');
  }
  const disagreeing = named.find(([, command]) => command !== first[1]);
  if (disagreeing !== undefined) {
    throw new CommandMismatchError(
      `${first[0]} says ${quote(first[1])} but ${disagreeing[0]} says ${quote(disagreeing[1])}`,
    );
  }
  if (!isFriendCommand(first[1])) {
    throw new UnhandledCommandError(`${quote(first[1])} is not one of ${FRIEND_COMMANDS.join(', ')}`);
  }
  return first[1];
};

const quote = (command: string): string =>
  // Only what looks like an OpenIM command name is echoed: a path segment in the command's place
  // can be the token itself (`/<prefix>/<token>/<token>`), and errDlt reaches replies and logs.
  /^callback[A-Za-z]{1,60}$/.test(command) ? JSON.stringify(command) : 'a value that is not a command name';
