import { type ExactJson, parseExactJson } from './exact-json';

/**
 * OpenIM's reply envelope and what each kind of answer means for a caller: HTTP 200 with
 * `{"errCode","errMsg","errDlt","data"}` (errCode 0: success; anything else: an error, `data`
 * absent), 429 with Retry-After from main's optional limiter, a bare 500 after a server panic,
 * 404 for a route this server does not have.
 */

/** What OpenIM said when errCode was not 0. */
export interface OpenImErrorReply {
  errCode: number;
  errMsg: string;
  errDlt: string;
}

export type ReplyData = { [key: string]: ExactJson };

/** One HTTP exchange, classified. */
export type Answer =
  | { kind: 'ok'; data: ReplyData }
  | { kind: 'api-error'; reply: OpenImErrorReply }
  | { kind: 'throttled'; retryAfter: string | null }
  | { kind: 'http-error'; status: number }
  | { kind: 'unreadable'; status: number; reason: string };

/** 1501-1507: expired, invalid, malformed, not yet valid, unknown, kicked, not present. Log in again. */
export const isTokenError = (errCode: number): boolean => errCode >= 1501 && errCode <= 1507;

/** Codes worth retrying at once: 500 internal error, 8 main's RPC rate limiter, 14 its circuit breaker. */
export const isTransientErrCode = (errCode: number): boolean => errCode === 500 || errCode === 8 || errCode === 14;

/** A bare 5xx from a panic, a gateway or a proxy in front of OpenIM. */
export const isTransientStatus = (status: number): boolean =>
  status === 500 || status === 502 || status === 503 || status === 504;

const isObject = (value: ExactJson): value is ReplyData =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const classifyAnswer = (status: number, retryAfter: string | null, body: string): Answer => {
  if (status === 429) return { kind: 'throttled', retryAfter };
  if (status !== 200) return { kind: 'http-error', status };
  let envelope: ExactJson;
  try {
    envelope = parseExactJson(body);
  } catch {
    return { kind: 'unreadable', status, reason: `the reply is not JSON: ${JSON.stringify(body.slice(0, 60))}` };
  }
  if (!isObject(envelope) || typeof envelope.errCode !== 'number') {
    return { kind: 'unreadable', status, reason: 'the reply has no numeric errCode' };
  }
  if (envelope.errCode !== 0) {
    const text = (value: ExactJson | undefined) => (typeof value === 'string' ? value : '');
    return {
      kind: 'api-error',
      reply: { errCode: envelope.errCode, errMsg: text(envelope.errMsg), errDlt: text(envelope.errDlt) },
    };
  }
  const data = envelope.data ?? {};
  if (!isObject(data)) return { kind: 'unreadable', status, reason: 'the reply data is not an object' };
  return { kind: 'ok', data };
};

/**
 * Retry-After as milliseconds from `nowMs`: delta-seconds or an HTTP date (RFC 9110). Undefined
 * when absent or unreadable; never negative.
 */
export const retryAfterMs = (header: string | null, nowMs: number): number | undefined => {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - nowMs);
};
