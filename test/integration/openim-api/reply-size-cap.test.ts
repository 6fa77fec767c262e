import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_REPLY_BYTES, OpenImHttp } from '../../../functions/adapters/openim-api/http-call';
import { Pacer } from '../../../functions/adapters/openim-api/pacer';
import { type CallObservation, OpenImReadError } from '../../../functions/reconcile/openim-directory';
import { SteppingClock } from '../../helpers/fake-clocks';

/**
 * OpenIM's replies are read up to a cap: a loopback server answers a reply of a given size, with
 * its Content-Length or chunked (no length), and the adapter reads it or refuses it, once.
 */
const CAP = 64 * 1024;
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

/** A server whose every reply is a valid OpenIM envelope of `bytes` bytes. */
const serve = async (bytes: number, chunked: boolean) => {
  const prefix = '{"errCode":0,"errMsg":"","errDlt":"","data":{"pad":"';
  const suffix = '"}}';
  const body = `${prefix}${'x'.repeat(bytes - prefix.length - suffix.length)}${suffix}`;
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    if (chunked) {
      response.writeHead(200, { 'content-type': 'application/json' });
      for (let offset = 0; offset < body.length; offset += 8_192) response.write(body.slice(offset, offset + 8_192));
      response.end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      response.end(body);
    }
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
};

const adapter = (apiUrl: string, maxReplyBytes?: number) => {
  const clock = new SteppingClock();
  const calls: CallObservation[] = [];
  const http = new OpenImHttp({
    apiUrl,
    clock,
    pacer: new Pacer({ callsPerSecond: 100, maxConcurrentCalls: 1, clock }),
    callTimeoutMs: 30_000,
    maxAttempts: 4,
    maxRetryAfterMs: 1_000,
    maxReplyBytes,
    onCall: (call) => calls.push(call),
  });
  return { http, calls };
};

describe.each([
  ['with its Content-Length', false],
  ['chunked, with no length', true],
])('a reply %s', (_label, chunked) => {
  it('is read whole up to the cap', async () => {
    const server = await serve(CAP, chunked);
    const data = await adapter(server.url, CAP).http.post('/friend/get_friend_list', {});
    expect(String(data.pad)).toHaveLength(CAP - '{"errCode":0,"errMsg":"","errDlt":"","data":{"pad":""}}'.length);
  });

  it('larger than the cap fails the call at once with a non-retryable OpenImReadError naming the endpoint and the cap', async () => {
    const server = await serve(CAP + 1, chunked);
    const { http, calls } = adapter(server.url, CAP);
    const error = await http.post('/friend/get_friend_list', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenImReadError);
    expect((error as OpenImReadError).message).toBe(
      `OpenIM /friend/get_friend_list: the reply is larger than ${CAP} bytes, the most this reconciler reads of one reply; not read`,
    );
    expect((error as OpenImReadError).details).toEqual({
      endpoint: '/friend/get_friend_list',
      httpStatus: 200,
      retryable: false,
    });
    expect(server.requests()).toBe(1); // not retried: the same request would get the same reply
    expect(calls.map(({ outcome, httpStatus }) => [outcome, httpStatus])).toEqual([['http-error', 200]]);
  });
});

it('reads up to 64 MiB by default, and refuses a reply just past it', async () => {
  expect(MAX_REPLY_BYTES).toBe(64 * 1024 * 1024);
  const server = await serve(MAX_REPLY_BYTES + 1, false);
  await expect(adapter(server.url).http.post('/friend/get_friend_list', {})).rejects.toThrow(
    `the reply is larger than ${MAX_REPLY_BYTES} bytes`,
  );
});
