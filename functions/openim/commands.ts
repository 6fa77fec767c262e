import type { FriendDetailType } from '../events';

/** The OpenIM "after" callbacks this endpoint handles, and the detail-type each becomes. */
export const DETAIL_TYPE_BY_COMMAND = {
  callbackAfterAddFriendCommand: 'AfterAddFriend',
  callbackAfterAddFriendAgreeCommand: 'AfterAddFriendAgree',
  callbackAfterImportFriendsCommand: 'AfterImportFriends',
} as const satisfies Record<string, FriendDetailType>;

export type FriendCommand = keyof typeof DETAIL_TYPE_BY_COMMAND;

export const FRIEND_COMMANDS = Object.keys(DETAIL_TYPE_BY_COMMAND) as FriendCommand[];

export const isFriendCommand = (value: string): value is FriendCommand => Object.hasOwn(DETAIL_TYPE_BY_COMMAND, value);
