/** Callback bodies and wrong values shared by the callback-body tests. */
export const agree = {
  callbackCommand: 'callbackAfterAddFriendAgreeCommand',
  fromUserID: '1',
  blackUserID: '2',
  HandleResult: 1,
  HandleMsg: 'ok',
};

export const WRONG_TYPES: [string, unknown][] = [
  ['a number', 3958741620],
  ['null', null],
  ['a boolean', true],
  ['an object', { id: '1' }],
  ['an array', ['1']],
];
/** For a message, null is Go's nothing (read as ""); the other wrong types are still not OpenIM's wire. */
export const WRONG_MESSAGE_TYPES = WRONG_TYPES.filter(([, value]) => value !== null);
