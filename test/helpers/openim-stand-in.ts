import { randomUUID } from 'node:crypto';
import { createOpenImDirectory, type OpenImDirectoryOptions } from '../../functions/adapters/openim-api/directory';
import { type ExactJson, parseExactJson, stringifyExactJson } from '../../functions/adapters/openim-api/exact-json';
import { type ListRead, readPages } from '../../functions/reconcile/list-read';
import type { CallObservation, FriendRow, OpenImDirectory } from '../../functions/reconcile/openim-directory';
import type { OpenImStandIn } from '../../infra/local/openim-api/stand-in';
import { SteppingClock } from './fake-clocks';

export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  json(): { errCode: number; errMsg: string; errDlt: string; data?: { [key: string]: ExactJson } };
}

/** One request to the stand-in as any HTTP client would make it. */
export const rawCall = async (
  standIn: Pick<OpenImStandIn, 'url'>,
  path: string,
  body: unknown,
  headers: Record<string, string> = { operationID: randomUUID() },
  method = 'POST',
): Promise<RawReply> => {
  const response = await fetch(`${standIn.url}${path}`, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body: typeof body === 'string' ? body : stringifyExactJson(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => parseExactJson(text) as never };
};

/** An admin token from the stand-in's login route. */
export const loginAsAdmin = async (standIn: OpenImStandIn, userID = 'imAdmin'): Promise<string> => {
  const route =
    standIn.serverVersion === 'v3.7' || standIn.serverVersion === 'v3.8.0'
      ? '/auth/user_token'
      : '/auth/get_admin_token';
  const reply = await rawCall(standIn, route, { secret: 'openIM123', userID, platformID: 10 });
  const token = reply.json().data?.token;
  if (typeof token !== 'string') throw new Error(`no token: ${reply.text}`);
  return token;
};

/** A call as the admin: token and operationID headers. */
export const adminCall = async (standIn: OpenImStandIn, path: string, body: unknown, token?: string) =>
  rawCall(standIn, path, body, { operationID: randomUUID(), token: token ?? (await loginAsAdmin(standIn)) });

/**
 * The adapter against a stand-in, recording every request it makes. Its clock steps (backoff and
 * pacing cost no wall-clock time) unless the test gives one.
 */
export const directoryFor = (standIn: Pick<OpenImStandIn, 'url'>, options: Partial<OpenImDirectoryOptions> = {}) => {
  const calls: CallObservation[] = [];
  const stepping = new SteppingClock();
  const clock = options.clock ?? stepping;
  const directory = createOpenImDirectory({
    apiUrl: standIn.url,
    adminUserID: 'imAdmin',
    adminSecret: 'openIM123',
    callsPerSecond: 10_000,
    maxConcurrentCalls: 8,
    ...options,
    clock,
    onCall: (call) => {
      calls.push(call);
      options.onCall?.(call);
    },
  });
  /** The endpoints called, in order, with the outcome when it was not ok. */
  const trail = () =>
    calls.map(({ endpoint, outcome, errCode, httpStatus }) =>
      outcome === 'ok' ? endpoint : `${endpoint} ${outcome} ${errCode ?? httpStatus ?? ''}`.trim(),
    );
  /** `stepping`: the clock used unless the test gave one. */
  return { directory, calls, trail, stepping };
};

/** A small world: a and b friends, a pinned c with a remark (one-sided), a blocked d. */
export const SMALL_SEED = {
  users: ['a', 'b', 'c', 'd', '用户'],
  friendships: [['a', 'b'] as [string, string]],
  friends: [{ ownerUserID: 'a', friendUserID: 'c', remark: 'C <3', isPinned: true }],
  blacks: [['a', 'd'] as [string, string]],
};

const rowsOf = <T>(read: ListRead<T>): T[] => {
  if (read.kind === 'unreadable') throw new Error(`the list was not read consistently: ${read.reason}`);
  return read.rows;
};

/** An owner's whole friend list, every page, as the engine reads it (one pass). */
export const wholeFriends = async (directory: OpenImDirectory, owner: string): Promise<FriendRow[]> =>
  rowsOf(
    await readPages(
      (page, size) => directory.friendPage(owner, page, size),
      (row) => row.userID,
    ),
  );

/** An owner's whole black list, every page, as the engine reads it (one pass; one call for a short list). */
export const wholeBlacks = async (directory: OpenImDirectory, owner: string): Promise<string[]> =>
  rowsOf(
    await readPages(
      (page, size) => directory.blackPage(owner, page, size),
      (id) => id,
    ),
  );
