import { SYNTHETIC_HEADER } from '../../functions/callback/http';
import type { FriendEvent } from '../../functions/contract/events';
import { readEvents } from '../cli-kit/event-log';
import { maskCallbackUrl } from '../cli-kit/mask-token';
import { decodeOpenImReply, isSuccess, ReplyDecodeError } from '../openim-sender-simulator/openim-reply';
import {
  type OpenImVersion,
  openImRequest,
  type SampleCommand,
  sampleBody,
} from '../openim-sender-simulator/openim-request';
import { sendCallback } from '../openim-sender-simulator/send-callback';

export type { SampleCommand };

/**
 * `npm run send`'s test: one callback as an OpenIM server sends it, marked as test traffic, the
 * reply judged as OpenIM judges it, and the event it made judged as a subscriber sees it.
 */

/**
 * The users a smoke test names by default. OpenIM refuses a user ID with `:` at registration
 * (`UserRegister`), so no real user can ever have these IDs, whatever the OpenIM.
 */
export const DEFAULT_SMOKE_USERS = { user: 'synthetic:3958741620', otherUser: 'synthetic:6127384950' } as const;

export interface SmokeUsers {
  /** The acting user: the applicant, or the owner of the list that changed. */
  user: string;
  /** The other user: the recipient, the new or removed friend, the unblocked user. */
  otherUser: string;
}

/** Why OpenIM could not use this as its callback URL (the README, Configure OpenIM), or undefined. */
export const callbackUrlProblem = (url: string): string | undefined => {
  const parsed = new URL(url);
  if (parsed.search !== '' || url.includes('?')) {
    return '--url must not have a query string: OpenIM appends /<command> to the URL, which would end up inside the query (use the URL npm run callback-url prints)';
  }
  if (parsed.pathname.endsWith('/')) {
    return '--url must not end with a slash: OpenIM appends /<command> to it, and the path would hold an empty segment (use the URL npm run callback-url prints)';
  }
  return undefined;
};

/** The sample body of the command, naming these users (pure). */
export const smokeBody = (version: OpenImVersion, command: SampleCommand, users: SmokeUsers) => {
  const body: Record<string, unknown> & { callbackCommand: string } = { ...sampleBody(version, command) };
  for (const field of ['fromUserID', 'ownerUserID'] as const) if (field in body) body[field] = users.user;
  for (const field of ['toUserID', 'blackUserID', 'friendUserID'] as const)
    if (field in body) body[field] = users.otherUser;
  if ('friendUserIDs' in body) body.friendUserIDs = [users.otherUser];
  return body;
};

export interface SmokeCallback {
  /** The callback URL as configured in OpenIM (with the token). */
  url: string;
  command: SampleCommand;
  version: OpenImVersion;
  operationID: string;
  users: SmokeUsers;
  /** How long to wait for the reply. */
  timeoutMs: number;
}

/** Sends the callback, marked synthetic, and judges the reply as OpenIM does. */
export const sendSmokeCallback = async (options: SmokeCallback): Promise<{ pass: boolean; lines: string[] }> => {
  const body = smokeBody(options.version, options.command, options.users);
  const request = openImRequest(options.version, options.url, body, options.operationID);
  request.headers.push([SYNTHETIC_HEADER, '1']);
  const shown = maskCallbackUrl(request.url, options.url);
  const lines = [
    `POST ${shown} (OpenIM ${options.version} wire format, operationID ${options.operationID}; marked synthetic, users ${options.users.user} and ${options.users.otherUser})`,
    ...[options.users.user, options.users.otherUser]
      .filter((id) => !id.includes(':'))
      .map((id) => `note: ${id} has no ":", so it could be a real OpenIM user; the event is still marked synthetic`),
  ];
  let response: Awaited<ReturnType<typeof sendCallback>>;
  try {
    response = await sendCallback(request, options.timeoutMs);
  } catch (error) {
    lines.push(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    return { pass: false, lines };
  }
  lines.push(`reply: HTTP ${response.status} in ${response.latencyMs.toFixed(1)} ms: ${response.body.trim()}`);
  try {
    const reply = decodeOpenImReply(response.body);
    if (!isSuccess(reply)) {
      lines.push(`FAIL: OpenIM reads this as an error (errCode ${reply.errCode}: ${reply.errMsg}; ${reply.errDlt})`);
      return { pass: false, lines };
    }
  } catch (error) {
    const reason = error instanceof ReplyDecodeError ? error.message : String(error);
    lines.push(`FAIL: OpenIM cannot decode this reply (its error 90007): ${reason}`);
    return { pass: false, lines };
  }
  lines.push('PASS: OpenIM reads this reply as success');
  return { pass: true, lines };
};

/** The event as a subscriber sees it: there, and marked as test traffic (or subscribers took it as real). */
export const judgeEvent = (
  event: FriendEvent | undefined,
  where: string,
  waited: string,
): { pass: boolean; line: string } => {
  if (!event) return { pass: false, line: `FAIL: ${waited}` };
  const synthetic = 'synthetic' in event.detail && event.detail.synthetic === true;
  return synthetic
    ? {
        pass: true,
        line: `PASS: ${event['detail-type']} event reached ${where}, marked synthetic (subscribers skip it unless asked)`,
      }
    : {
        pass: false,
        line: `FAIL: the ${event['detail-type']} event reached ${where} without synthetic: true, so subscribers took it as real: deploy this version of the stack`,
      };
};

/** With the local server: the event of this operationID in its JSON-lines file, within `timeoutMs`. */
export const waitForLocalEvent = async (
  file: string,
  operationID: string,
  timeoutMs: number,
): Promise<FriendEvent | undefined> => {
  const deadline = Date.now() + timeoutMs;
  do {
    const event = readEvents(file).find((candidate) => candidate.detail.operationID === operationID);
    if (event) return event;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  return undefined;
};
