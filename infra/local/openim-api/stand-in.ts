import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseExactJson } from '../../../functions/adapters/openim-api/exact-json';
import { type GoJsonValue, goJsonMarshal } from '../../../functions/adapters/openim-api/go-json';
import { ApiError, errArgs } from './api-error';
import { AUTH_ROUTES } from './auth-routes';
import { CONTROL_PREFIX, control } from './control';
import { RateLimiter, StandInFaults } from './faults';
import { OpenImModel } from './model';
import { READ_ROUTES } from './read-routes';
import type { Route, RouteContext } from './route';
import { applySeed, type GeneratedData, generateData, readSeedFile, type Seed } from './seed';
import { CAPABILITIES, type Capabilities, type ServerVersion } from './server-versions';
import { type TokenClaims, Tokens } from './tokens';
import { Webhooks } from './webhooks';
import { WRITE_ROUTES } from './write-routes';

/**
 * An embedded OpenIM API on loopback that speaks OpenIM's admin API (docs/openim-admin-api.md) as the chosen server version does:
 * POST routes with JSON bodies, `operationID` and `token` headers, HTTP 200 envelopes, `null`
 * for empty lists, every field present, 64-bit numbers exact (Go's json.Marshal), skip/limit
 * pages without a sort, OpenIM's write semantics and version log, 404 for a route it lacks.
 * For `npm start`, tests and the bench.
 */
export interface OpenImStandInOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: Seed;
  seedFile?: string;
  /** Generated bench data, added after the seed. */
  generate?: GeneratedData;
  serverVersion?: ServerVersion;
  /** `share.yml` `secret` (default openIM123). */
  adminSecret?: string;
  /** `share.yml` admin user IDs (default imAdmin); added as users at start, as OpenIM does. */
  adminUserIDs?: string[];
  /** Where after-callbacks are posted (`webhooks.yml` url); none when absent. */
  callbackUrl?: string;
  /** The clock of tokens, timestamps and the rate limiter (epoch ms). */
  clock?: { now(): number };
  /** Admin token lifetime (default 90 days, OpenIM's). */
  tokenExpireSeconds?: number;
  /** main's optional limiter: beyond this many requests in a second of the clock, 429. */
  rateLimit?: { callsPerSecond: number; retryAfterSeconds?: number };
}

export interface OpenImStandIn {
  url: string;
  serverVersion: ServerVersion;
  model: OpenImModel;
  tokens: Tokens;
  faults: StandInFaults;
  /** Set when `callbackUrl` is. */
  webhooks: Webhooks | undefined;
  /** Requests received per path, whatever their answer. */
  requestCounts: Map<string, number>;
  /** Requests being answered now, and the most there were at once. */
  load: { inFlight: number; maxInFlight: number };
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export const startOpenImStandIn = async (options: OpenImStandInOptions = {}): Promise<OpenImStandIn> => {
  parseExactJson('0'); // fails at once on a Node.js without JSON source text access (before 21)
  const serverVersion = options.serverVersion ?? 'main';
  const capabilities = CAPABILITIES[serverVersion];
  if (!capabilities) throw new Error(`serverVersion must be one of ${Object.keys(CAPABILITIES).join(', ')}`);
  if (options.rateLimit && !capabilities.rateLimiter) throw new Error('only OpenIM main has the optional rate limiter');
  const now = () => (options.clock ?? Date).now();
  const adminUserIDs = options.adminUserIDs ?? ['imAdmin'];
  const secret = options.adminSecret ?? 'openIM123';
  const tokenExpireSeconds = options.tokenExpireSeconds ?? 90 * 24 * 3600;

  const model = new OpenImModel({
    pinnedFirst: capabilities.pinnedFirst,
    strictFriendLookups: capabilities.strictFriendLookups,
    now,
  });
  for (const userID of adminUserIDs) model.addUser({ userID });
  const seconds = Math.floor(now() / 1000);
  const seed = options.seedFile ? readSeedFile(options.seedFile) : options.seed;
  if (seed) applySeed(model, seed, adminUserIDs[0] ?? '', seconds);
  if (options.generate) generateData(model, options.generate, adminUserIDs[0] ?? '', seconds);

  const standIn: Omit<OpenImStandIn, 'url' | 'close'> = {
    serverVersion,
    model,
    tokens: new Tokens({
      secret,
      expireSeconds: tokenExpireSeconds,
      revokeEarlierAdminTokens: capabilities.revokeEarlierAdminTokens,
      now,
    }),
    faults: new StandInFaults(),
    webhooks: options.callbackUrl ? new Webhooks(options.callbackUrl) : undefined,
    requestCounts: new Map(),
    load: { inFlight: 0, maxInFlight: 0 },
  };
  const routes = routesOf(capabilities);
  const limiter = options.rateLimit ? new RateLimiter({ retryAfterSeconds: 1, ...options.rateLimit }, now) : undefined;
  const context = (operator: TokenClaims | undefined, operationID: string): RouteContext => ({
    model,
    tokens: standIn.tokens,
    capabilities,
    operator,
    adminUserIDs,
    secret,
    tokenExpireSeconds,
    fire: (body) => standIn.webhooks?.fire(body, operationID),
    listFaults: standIn.faults.lists,
  });

  // Injected delays end early when the stand-in closes, so that nothing outlives it.
  const delays = new Set<() => void>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        delays.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      delays.add(end);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readBody(request);
    if (raw === undefined) return send(response, 413, 'text/plain', 'request body too large');
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    const method = request.method ?? 'GET';
    standIn.requestCounts.set(path, (standIn.requestCounts.get(path) ?? 0) + 1);
    if (path.startsWith(CONTROL_PREFIX)) {
      const [status, body] = control(standIn, method, path, raw);
      return send(response, status, 'application/json', JSON.stringify(body));
    }
    const retryAfter = limiter?.refuse();
    if (retryAfter !== undefined) {
      const body = envelope(new ApiError(429, 'too many requests, please try again later', ''));
      return send(response, 429, 'application/json; charset=utf-8', body, { 'retry-after': retryAfter });
    }
    if (method === 'OPTIONS') return send(response, 200, 'application/json; charset=utf-8', '"Options Request!"');
    if (method !== 'POST') return notFound(response);
    const operationID = String(request.headers.operationid ?? '');
    if (operationID === '') return sendEnvelope(response, errArgs('header must have operationID'));

    const fault = standIn.faults.take(path);
    if (fault && 'status' in fault) {
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
      return send(response, fault.status, 'text/plain', '', headers);
    }
    if (fault && 'errCode' in fault) {
      return sendEnvelope(response, new ApiError(fault.errCode, fault.errMsg ?? '', fault.errDlt ?? ''));
    }
    if (fault) {
      await delay(fault.delayMs);
      if (response.destroyed) return;
    }

    const route = routes.get(path);
    const tokenFree = capabilities.tokenFree.some((prefix) => path.startsWith(prefix));
    const checksToken = capabilities.tokenCheckBeforeRouting ? !tokenFree : route?.needsToken === true && !tokenFree;
    let operator: TokenClaims | undefined;
    if (checksToken) {
      const token = String(request.headers.token ?? '');
      if (token === '') return sendEnvelope(response, errArgs('header must have token'));
      const claims = standIn.tokens.parse(token);
      if (claims instanceof ApiError) return sendEnvelope(response, claims);
      operator = claims;
    }
    if (!route) return notFound(response);
    try {
      return sendEnvelope(response, route.handle(context(operator, operationID), raw));
    } catch (error) {
      if (error instanceof ApiError) return sendEnvelope(response, error);
      return send(response, 500, 'text/plain', ''); // gin's recovery after a panic: a bare 500
    }
  };

  const server: Server = createServer((request, response) => {
    const { load } = standIn;
    load.maxInFlight = Math.max(load.maxInFlight, ++load.inFlight);
    handle(request, response)
      .catch(() => send(response, 500, 'text/plain', ''))
      .finally(() => load.inFlight--);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    ...standIn,
    url: `http://${host}:${address.port}`,
    close: async () => {
      for (const end of delays) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await standIn.webhooks?.idle();
    },
  };
};

/** The routes this server version has. */
const routesOf = (capabilities: Capabilities): Map<string, Route> => {
  const routes = new Map<string, Route>();
  for (const [path, route] of Object.entries({ ...READ_ROUTES, ...WRITE_ROUTES })) {
    if (route.friendSync && !capabilities.friendSyncRoutes) continue;
    if (route.specifiedBlacks && !capabilities.specifiedBlacks) continue;
    routes.set(path, route);
  }
  const login = AUTH_ROUTES[capabilities.loginRoute];
  if (login) routes.set(capabilities.loginRoute, login);
  return routes;
};

/** OpenIM's reply: `data` left out on errors and for empty response structs. */
const envelope = (result: GoJsonValue | undefined | ApiError): string => {
  if (result instanceof ApiError) {
    return goJsonMarshal({ errCode: result.errCode, errMsg: result.errMsg, errDlt: result.errDlt });
  }
  const head = { errCode: 0, errMsg: '', errDlt: '' };
  return goJsonMarshal(result === undefined ? head : { ...head, data: result });
};

const sendEnvelope = (response: ServerResponse, result: GoJsonValue | undefined | ApiError): void =>
  send(response, 200, 'application/json; charset=utf-8', envelope(result));

/** gin's answer for a route it does not have. */
const notFound = (response: ServerResponse): void => send(response, 404, 'text/plain', '404 page not found');

const send = (
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void => {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': contentType, ...headers });
  response.end(body);
};

/** The body, or undefined when it is larger than the stand-in takes. */
const readBody = async (request: IncomingMessage): Promise<string | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
};
