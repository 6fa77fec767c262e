/**
 * What an OpenIM server sends for a friend callback, byte for byte, per server version
 * (the README, Configure OpenIM): used by the smoke-test CLI and the end-to-end tests.
 */
export const OPENIM_VERSIONS = ['v3.7+', 'v3.4.2-v3.6', 'v3.0-v3.4.0'] as const;
export type OpenImVersion = (typeof OPENIM_VERSIONS)[number];

export interface OpenImRequest {
  url: string;
  /** In the order Go's net/http writes them (after Host). */
  headers: [string, string][];
  body: Buffer;
}

/** Go's encoding/json: compact, and `<`, `>`, `&`, U+2028, U+2029 escaped as \uXXXX. */
export const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/**
 * v3.4.2+ append `/<command>` to the configured URL, v3.0-3.4.0 add `?command=<command>`.
 * v3.7+ end the body with a newline (json.Encoder). Before v3.7 an empty operationID is omitted.
 */
export const openImRequest = (
  version: OpenImVersion,
  configuredUrl: string,
  body: Record<string, unknown> & { callbackCommand: string },
  operationID: string,
): OpenImRequest => {
  const command = body.callbackCommand;
  const url = version === 'v3.0-v3.4.0' ? `${configuredUrl}?command=${command}` : `${configuredUrl}/${command}`;
  const json = goJson(body) + (version === 'v3.7+' ? '\n' : '');
  const bytes = Buffer.from(json, 'utf8');
  const headers: [string, string][] = [
    ['User-Agent', 'Go-http-client/1.1'],
    ['Content-Length', String(bytes.length)],
    ['Content-Type', 'application/json; charset=utf-8'],
  ];
  if (operationID !== '' || version === 'v3.7+') headers.push(['Operationid', operationID]);
  headers.push(['Accept-Encoding', 'gzip']);
  return { url, headers, body: bytes };
};

/** Sample bodies, in the field order OpenIM's Go structs marshal them. */
export const sampleBodies = {
  callbackAfterAddFriendCommand: {
    callbackCommand: 'callbackAfterAddFriendCommand',
    fromUserID: '3958741620',
    toUserID: '6127384950',
    reqMsg: 'Hi <3 & welcome',
  },
  callbackAfterAddFriendAgreeCommand: {
    callbackCommand: 'callbackAfterAddFriendAgreeCommand',
    fromUserID: '3958741620',
    blackUserID: '6127384950',
    HandleResult: 1,
    HandleMsg: '',
  },
  callbackAfterImportFriendsCommand: {
    callbackCommand: 'callbackAfterImportFriendsCommand',
    ownerUserID: '3958741620',
    friendUserIDs: ['6127384950', '8801234567'],
  },
  callbackAfterDeleteFriendCommand: {
    callbackCommand: 'callbackAfterDeleteFriendCommand',
    ownerUserID: '3958741620',
    friendUserID: '6127384950',
  },
  callbackAfterSetFriendRemarkCommand: {
    callbackCommand: 'callbackAfterSetFriendRemarkCommand',
    ownerUserID: '3958741620',
    friendUserID: '6127384950',
    remark: 'Bob (work) <3',
  },
  callbackAfterRemoveBlackCommand: {
    callbackCommand: 'callbackAfterRemoveBlackCommand',
    ownerUserID: '3958741620',
    blackUserID: '6127384950',
  },
} as const;

export type SampleCommand = keyof typeof sampleBodies;

/**
 * Server generations that never send one of the later callbacks: delete and remark exist from
 * v3.4.2, remove-black fires from v3.8.1 (within the v3.7+ wire format; v3.7.0 to v3.8.0 do not
 * send it either).
 */
const NOT_SENT_BY: Record<OpenImVersion, readonly SampleCommand[]> = {
  'v3.7+': [],
  'v3.4.2-v3.6': ['callbackAfterRemoveBlackCommand'],
  'v3.0-v3.4.0': [
    'callbackAfterDeleteFriendCommand',
    'callbackAfterSetFriendRemarkCommand',
    'callbackAfterRemoveBlackCommand',
  ],
};

export const sendsCommand = (version: OpenImVersion, command: SampleCommand): boolean =>
  !NOT_SENT_BY[version].includes(command);

/** The sample body of `command` as `version` sends it: v3.4.2-v3.6 name the remark callback without "Command". */
export const sampleBody = (
  version: OpenImVersion,
  command: SampleCommand,
): Record<string, unknown> & { callbackCommand: string } => {
  if (!sendsCommand(version, command)) throw new Error(`an OpenIM ${version} server never sends ${command}`);
  const body = { ...sampleBodies[command] };
  if (version === 'v3.4.2-v3.6' && body.callbackCommand === 'callbackAfterSetFriendRemarkCommand') {
    return { ...body, callbackCommand: 'callbackAfterSetFriendRemark' };
  }
  return body;
};
