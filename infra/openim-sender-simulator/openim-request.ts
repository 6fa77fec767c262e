/**
 * What an OpenIM server sends for a friend callback, byte for byte, per server version
 * (see WIRE-FORMAT.md): used by the smoke-test CLI and the end-to-end tests.
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
} as const;
