import { randomUUID } from 'node:crypto';
import type { CallObservation } from '../../reconcile/openim-directory';
import { OpenImReadError } from '../../reconcile/openim-directory';
import {
  type Answer,
  classifyAnswer,
  isTokenError,
  isTransientErrCode,
  isTransientStatus,
  type OpenImErrorReply,
  type ReplyData,
  retryAfterMs,
} from './envelope';
import { stringifyExactJson } from './exact-json';
import type { Pacer } from './pacer';
import type { Clock } from './ports';

export interface OpenImHttpOptions {
  /** OpenIM's API, e.g. `http://openim-server:10002`. */
  apiUrl: string;
  pacer: Pacer;
  clock: Clock;
  /** Each request's own limit, body included. */
  callTimeoutMs: number;
  /** Requests per call at most (the first and its retries). */
  maxAttempts: number;
  /** A 429 asking to wait longer than this fails the call (retryable) instead of holding the adapter. */
  maxRetryAfterMs: number;
  /** The largest reply body read (bytes); a larger one fails the call. @default MAX_REPLY_BYTES */
  maxReplyBytes?: number;
  onCall?: (call: CallObservation) => void;
}

/**
 * The largest OpenIM reply this adapter reads: 64 MiB. A page is at most 500 rows and OpenIM's
 * RPC replies stop at 8 MiB (a page of 500 rows with 1 MB remarks cannot even leave OpenIM's RPC
 * layer), but its API writes them as JSON, which adds every field name per row and writes each
 * `<`, `>` and `&` of a remark or `ex` as a 6-byte `\u003c`: an 8 MiB reply of such text is up to
 * 48 MiB of JSON. 64 MiB holds that; anything larger is not a reply OpenIM could give to a page,
 * and reading it would only risk the worker's memory (1 GB).
 */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

type Outcome =
  | Answer
  | { kind: 'timeout' }
  | { kind: 'network-error'; message: string }
  | { kind: 'too-large'; status: number };

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 4_000;

/** Waits before retry `attempt` (1-based) of a failed request: 250 ms, doubling, at most 4 s. */
export const backoffMs = (attempt: number): number => Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));

/**
 * One OpenIM API call: a paced POST with `operationID` (fresh per call, `-<n>` on its retries) and
 * `token` headers and an exact-JSON body, retried within `maxAttempts` after a network error, a
 * timeout, a bare 5xx or a transient errCode (with backoff), or a 429 (after its Retry-After).
 * Resolves with the reply's `data`; anything else becomes an `OpenImReadError` naming the route.
 */
export class OpenImHttp {
  constructor(private readonly options: OpenImHttpOptions) {}

  async post(endpoint: string, body: Record<string, unknown>, token?: string): Promise<ReplyData> {
    const { clock, pacer, maxAttempts } = this.options;
    const callId = randomUUID();
    const json = stringifyExactJson(body);
    for (let attempt = 1; ; attempt++) {
      const release = await pacer.acquire();
      const startedAtMs = clock.now();
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = await this.send(endpoint, json, attempt === 1 ? callId : `${callId}-${attempt}`, token);
      } finally {
        release();
      }
      this.observe(endpoint, outcome, attempt, startedAtMs, performance.now() - started);
      if (outcome.kind === 'ok') return outcome.data;
      const failure = this.failure(endpoint, outcome, token);
      const last = attempt >= maxAttempts;
      if (outcome.kind === 'throttled') {
        const waitMs = retryAfterMs(outcome.retryAfter, clock.now()) ?? backoffMs(attempt);
        if (last || waitMs > this.options.maxRetryAfterMs) throw failure;
        pacer.pauseUntil(clock.now() + waitMs); // the server is saturated: every request of this adapter waits
        continue;
      }
      if (last || !failure.details.retryable || (outcome.kind === 'api-error' && isTokenError(outcome.reply.errCode))) {
        throw failure;
      }
      await clock.sleep(backoffMs(attempt));
    }
  }

  private async send(endpoint: string, json: string, operationID: string, token: string | undefined): Promise<Outcome> {
    const headers: Record<string, string> = { 'content-type': 'application/json', operationID };
    if (token !== undefined) headers.token = token;
    try {
      const response = await fetch(new URL(endpoint, this.options.apiUrl), {
        method: 'POST',
        headers,
        body: json,
        signal: AbortSignal.timeout(this.options.callTimeoutMs),
      });
      const text = await readCapped(response, this.options.maxReplyBytes ?? MAX_REPLY_BYTES);
      if (text === undefined) return { kind: 'too-large', status: response.status };
      return classifyAnswer(response.status, response.headers.get('retry-after'), text);
    } catch (error) {
      const { name, message, cause } = describe(error);
      if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout' };
      return { kind: 'network-error', message: cause ? `${message}: ${cause}` : message };
    }
  }

  private observe(endpoint: string, outcome: Outcome, attempt: number, startedAtMs: number, durationMs: number): void {
    const { onCall } = this.options;
    if (!onCall) return;
    const call: CallObservation = {
      endpoint,
      outcome: outcome.kind === 'unreadable' || outcome.kind === 'too-large' ? 'http-error' : outcome.kind,
      attempt,
      startedAtMs,
      durationMs,
    };
    if (outcome.kind === 'api-error') call.errCode = outcome.reply.errCode;
    if (outcome.kind === 'ok' || outcome.kind === 'api-error') call.httpStatus = 200;
    if (outcome.kind === 'http-error' || outcome.kind === 'unreadable' || outcome.kind === 'too-large')
      call.httpStatus = outcome.status;
    if (outcome.kind === 'throttled') call.httpStatus = 429;
    onCall(call);
  }

  /** The error for a failed request; OpenIM's own words are kept as the `cause`, the token masked out. */
  private failure(endpoint: string, outcome: Exclude<Outcome, { kind: 'ok' }>, token: string | undefined) {
    const where = `OpenIM ${endpoint}`;
    switch (outcome.kind) {
      case 'api-error': {
        const reply: OpenImErrorReply = { ...outcome.reply, errDlt: mask(outcome.reply.errDlt, token) };
        const { errCode, errMsg, errDlt } = reply;
        const retryable = isTransientErrCode(errCode) || isTokenError(errCode);
        return new OpenImReadError(
          `${where}: errCode ${errCode} ${errMsg}${errDlt ? ` (${errDlt})` : ''}`,
          { endpoint, errCode, httpStatus: 200, retryable },
          { cause: reply },
        );
      }
      case 'throttled':
        return new OpenImReadError(
          `${where}: HTTP 429 too many requests (Retry-After ${outcome.retryAfter ?? 'absent'})`,
          {
            endpoint,
            httpStatus: 429,
            retryable: true,
          },
        );
      case 'http-error': {
        const hint = outcome.status === 404 ? ', no such route on this server' : '';
        return new OpenImReadError(`${where}: HTTP ${outcome.status}${hint}`, {
          endpoint,
          httpStatus: outcome.status,
          retryable: isTransientStatus(outcome.status),
        });
      }
      case 'unreadable':
        return new OpenImReadError(`${where}: ${outcome.reason}`, {
          endpoint,
          httpStatus: outcome.status,
          retryable: false,
        });
      case 'too-large': {
        const cap = this.options.maxReplyBytes ?? MAX_REPLY_BYTES;
        // The same request gets the same reply: retrying would read it again.
        return new OpenImReadError(
          `${where}: the reply is larger than ${cap} bytes, the most this reconciler reads of one reply; not read`,
          { endpoint, httpStatus: outcome.status, retryable: false },
        );
      }
      case 'timeout':
        return new OpenImReadError(`${where}: no reply within ${this.options.callTimeoutMs} ms`, {
          endpoint,
          retryable: true,
        });
      case 'network-error':
        return new OpenImReadError(`${where}: ${outcome.message}`, { endpoint, retryable: true });
    }
  }
}

/**
 * The reply's body as text, or undefined (the rest left unread) once it passes `maxBytes`: a
 * declared Content-Length is refused before reading, a chunked body as soon as it grows past.
 */
const readCapped = async (response: Response, maxBytes: number): Promise<string | undefined> => {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  // Leaving the loop early cancels the stream: the connection is closed, the rest never read.
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * Name, message and cause's message of what fetch threw, read without `instanceof`: undici's
 * errors (a DOMException for a timeout) may come from another realm than this module's Error.
 */
const describe = (error: unknown): { name?: string; message: string; cause?: string } => {
  const { name, message, cause } = (typeof error === 'object' && error !== null ? error : {}) as Record<
    string,
    unknown
  >;
  const causeMessage =
    typeof cause === 'object' && cause !== null ? (cause as Record<string, unknown>).message : undefined;
  return {
    name: typeof name === 'string' ? name : undefined,
    message: typeof message === 'string' ? message : String(error),
    cause: typeof causeMessage === 'string' ? causeMessage : undefined,
  };
};

/** OpenIM echoes a token it cannot parse in errDlt (`jwt parse error, token=...`): never pass it on. */
const mask = (text: string, token: string | undefined): string => (token ? text.split(token).join('<token>') : text);
