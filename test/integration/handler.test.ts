import { LOCAL_BUS_NAME } from '../../infra/local/local-environment';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import { addFriendBody, captureOutput, httpApiEvent, invoke, TOKEN, useHarness } from '../helpers/harness';

const ctx = useHarness();

const putEventsRequests = () => ctx.harness.emulator.requests.filter((request) => request.operation === 'PutEvents');

describe('the handler with the real SDK against a loopback EventBridge', () => {
  it('publishes an AfterAddFriend event with exactly the PutEvents request the contract describes', async () => {
    const event = httpApiEvent({ body: `${addFriendBody()}\n` });
    const receivedAt = event.requestContext.timeEpoch;
    const { response, body } = await invoke(ctx.handler, event);

    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(body).toBe('{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}');
    const [request] = putEventsRequests();
    expect(putEventsRequests()).toHaveLength(1);
    expect(request?.signingService).toBe('events');
    const entries = request?.body.Entries as Record<string, unknown>[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual({
      EventBusName: LOCAL_BUS_NAME,
      Source: 'openim',
      DetailType: 'AfterAddFriend',
      Time: receivedAt / 1000,
      Detail: expect.any(String),
    });
    expect(JSON.parse(String(entries[0]?.Detail))).toEqual({
      schemaVersion: 1,
      callbackCommand: 'callbackAfterAddFriendCommand',
      operationID: 'op-1',
      receivedAt: new Date(receivedAt).toISOString(),
      idempotencyKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      fromUserID: '3958741620',
      toUserID: '6127384950',
      reqMsg: 'Hi',
    });
  });

  it('marks the event synthetic only for a request with the test-traffic header, which OpenIM never sends', async () => {
    const headers = { 'content-type': 'application/json; charset=utf-8', operationid: 'op-1' };
    await invoke(ctx.handler, httpApiEvent({ body: addFriendBody(), headers }));
    await invoke(
      ctx.handler,
      httpApiEvent({ body: addFriendBody(), headers: { ...headers, 'x-openim-friend-events-synthetic': '1' } }),
    );
    const [real, synthetic] = ctx.harness.emulator.events;
    expect(real?.detail).not.toHaveProperty('synthetic');
    expect(synthetic?.detail).toMatchObject({ synthetic: true, fromUserID: '3958741620' });
  });

  it('publishes AfterAddFriendAgree from the wire names blackUserID, HandleResult, HandleMsg', async () => {
    const body = JSON.stringify({
      callbackCommand: 'callbackAfterAddFriendAgreeCommand',
      fromUserID: '3958741620',
      blackUserID: '6127384950',
      HandleResult: 1,
      HandleMsg: '',
    });
    const { response } = await invoke(
      ctx.handler,
      httpApiEvent({ path: `/openim/${TOKEN}/callbackAfterAddFriendAgreeCommand`, body }),
    );
    expect(response.statusCode).toBe(200);
    expect(ctx.harness.emulator.events[0]).toMatchObject({
      detailType: 'AfterAddFriendAgree',
      detail: { fromUserID: '3958741620', toUserID: '6127384950', handleResult: 1, handleMsg: '' },
    });
  });

  it('publishes AfterImportFriends with friendUserIDs null as []', async () => {
    const body = JSON.stringify({
      callbackCommand: 'callbackAfterImportFriendsCommand',
      ownerUserID: '1',
      friendUserIDs: null,
    });
    const { response } = await invoke(
      ctx.handler,
      httpApiEvent({ path: `/openim/${TOKEN}/callbackAfterImportFriendsCommand`, body }),
    );
    expect(response.statusCode).toBe(200);
    expect(ctx.harness.emulator.events[0]?.detail).toMatchObject({
      ownerUserID: '1',
      friendUserIDs: [],
      part: 1,
      parts: 1,
    });
  });

  it('publishes an import of 20,000 IDs as several parts in as few PutEvents calls as the limits allow', async () => {
    const ids = Array.from({ length: 20_000 }, (_, index) => `${1_000_000_000_000 + index}`);
    const body = JSON.stringify({
      callbackCommand: 'callbackAfterImportFriendsCommand',
      ownerUserID: '1',
      friendUserIDs: ids,
    });
    const { response } = await invoke(
      ctx.handler,
      httpApiEvent({ path: `/openim/${TOKEN}/callbackAfterImportFriendsCommand`, body }),
    );

    expect(response.statusCode).toBe(200);
    const parts = ctx.harness.emulator.events.map(
      (event) => event.detail as { part: number; parts: number; friendUserIDs: string[] },
    );
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.sort((a, b) => a.part - b.part).flatMap((part) => part.friendUserIDs)).toEqual(ids);
    // Each part is close to the 200 KiB detail cap, so one call (1 MB at most) holds up to 4 parts.
    expect(putEventsRequests()).toHaveLength(Math.ceil(parts.length / 4));
  });

  it('accepts the v3.0-3.4.0 query form /<prefix>/<token>?command=', async () => {
    const event = httpApiEvent({
      path: `/openim/${TOKEN}`,
      query: { command: 'callbackAfterAddFriendCommand' },
      body: addFriendBody(),
    });
    expect((await invoke(ctx.handler, event)).response.statusCode).toBe(200);
  });

  it('accepts a base64-encoded body', async () => {
    const event = httpApiEvent({ body: Buffer.from(addFriendBody()).toString('base64'), isBase64Encoded: true });
    expect((await invoke(ctx.handler, event)).response.statusCode).toBe(200);
    expect(ctx.harness.emulator.events).toHaveLength(1);
  });

  it('answers every refusal in JSON that OpenIM decodes, and publishes nothing', async () => {
    const cases: [Parameters<typeof httpApiEvent>[0], number, number][] = [
      [{ body: 'not json' }, 400, 20001],
      [{ body: '' }, 400, 20001],
      [{}, 400, 20001],
      [{ body: '[1,2]' }, 400, 20001],
      [{ body: '{"__proto__":{"polluted":true}}' }, 400, 20001],
      [{ body: addFriendBody({ toUserID: 6127384950 }) }, 400, 20002],
      [{ body: addFriendBody({ callbackCommand: 'callbackAfterImportFriendsCommand' }) }, 400, 20003],
      [
        {
          path: `/openim/${TOKEN}/callbackBeforeAddFriendCommand`,
          body: addFriendBody({ callbackCommand: 'callbackBeforeAddFriendCommand' }),
        },
        404,
        20004,
      ],
      [{ path: '/openim/wrong-token/callbackAfterAddFriendCommand', body: addFriendBody() }, 401, 20005],
      [{ path: '/openim/callbackAfterAddFriendCommand', body: addFriendBody() }, 401, 20005],
      [{ body: addFriendBody(), headers: { 'content-type': 'text/plain' } }, 415, 20008],
      [{ body: addFriendBody(), headers: {} }, 415, 20008],
    ];
    for (const [options, status, errCode] of cases) {
      const { response, body } = await invoke(ctx.handler, httpApiEvent(options));
      expect({ options, status: response.statusCode }).toEqual({ options, status });
      expect(response.headers).toEqual({ 'content-type': 'application/json' });
      expect(decodeOpenImReply(body)).toMatchObject({ actionCode: 1, errCode, nextCode: 0 });
    }
    expect(putEventsRequests()).toHaveLength(0);
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    'refuses %s with the right token and a valid body: 405 / 20009, nothing published',
    async (method) => {
      const { response, body } = await invoke(ctx.handler, httpApiEvent({ method, body: addFriendBody() }));
      expect(response.statusCode).toBe(405);
      expect(decodeOpenImReply(body)).toMatchObject({ actionCode: 1, errCode: 20009 });
      expect(putEventsRequests()).toHaveLength(0);
      expect(ctx.harness.emulator.messages(ctx.harness.queueUrl)).toHaveLength(0);
    },
  );

  it.each([
    ['the path', { path: `/openim/${TOKEN}/${TOKEN}` }],
    ['?command=', { path: `/openim/${TOKEN}`, query: { command: TOKEN } }],
    ['the body', { body: addFriendBody({ callbackCommand: TOKEN }) }],
  ])(
    'never echoes the token when it stands in the command’s place (%s), in the reply or the log',
    async (_where, options) => {
      process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
      const logged = await ctx.harness.handlerWith();
      process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
      const output = captureOutput();
      let body = '';
      try {
        ({ body } = await invoke(logged, httpApiEvent({ body: addFriendBody(), ...options })));
      } finally {
        output.restore();
      }
      expect(decodeOpenImReply(body).actionCode).toBe(1);
      expect(body).not.toContain(TOKEN);
      expect(output.lines.join('\n')).not.toContain(TOKEN);
      expect(output.lines.length).toBeGreaterThan(0);
    },
  );

  it('refuses a body over the limit with 413 / 20007 before parsing it', async () => {
    const small = await ctx.harness.handlerWith({ MAX_BODY_BYTES: '1024' });
    const { response, body } = await invoke(
      small,
      httpApiEvent({ body: addFriendBody({ reqMsg: 'x'.repeat(1_100) }) }),
    );
    expect(response.statusCode).toBe(413);
    expect(decodeOpenImReply(body).errCode).toBe(20007);
  });

  it('refuses a source outside the allow-list with 403 / 20006', async () => {
    const restricted = await ctx.harness.handlerWith({ ALLOWED_SOURCE_CIDRS: '198.51.100.0/24' });
    const outside = await invoke(restricted, httpApiEvent({ body: addFriendBody(), sourceIp: '203.0.113.7' }));
    const inside = await invoke(restricted, httpApiEvent({ body: addFriendBody(), sourceIp: '198.51.100.20' }));
    expect([outside.response.statusCode, decodeOpenImReply(outside.body).errCode]).toEqual([403, 20006]);
    expect(inside.response.statusCode).toBe(200);
  });

  it('answers an unexpected exception with 500 / 25000 in JSON, never middy text/plain', async () => {
    const { buildHandler, createDependencies } = await import('../../functions/handlers/callback');
    const { loadCallbackConfig } = await import('../../functions/handlers/wiring/environment');
    const deps = createDependencies(loadCallbackConfig());
    const broken = buildHandler({
      ...deps,
      replyPath: {
        ...deps.replyPath,
        publish: async () => {
          throw new TypeError('a bug');
        },
      },
    });
    const { response, body } = await invoke(broken, httpApiEvent({ body: addFriendBody() }));
    expect(response.statusCode).toBe(500);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(decodeOpenImReply(body)).toMatchObject({ actionCode: 1, errCode: 25000 });
    expect(body).not.toContain('a bug');
  });

  it('writes one JSON log line per callback with outcome, command and operationID but no message text or token', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    const logged = await ctx.harness.handlerWith();
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const output = captureOutput();
    try {
      await invoke(logged, httpApiEvent({ body: addFriendBody({ reqMsg: 'a secret love letter' }) }));
      await invoke(
        logged,
        httpApiEvent({ path: '/openim/wrong/callbackAfterAddFriendCommand', body: addFriendBody() }),
      );
    } finally {
      output.restore();
    }
    const lines = output.json().filter((line) => line.message !== undefined);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'callback accepted',
        outcome: 'published',
        command: 'callbackAfterAddFriendCommand',
        operationID: 'op-1',
        service: 'openim-friend-events',
        cold_start: expect.any(Boolean),
        latencyMs: expect.any(Number),
      }),
      expect.objectContaining({
        level: 'INFO',
        message: 'callback rejected',
        outcome: 'rejected',
        errCode: 20005,
        statusCode: 401,
      }),
    ]);
    const text = output.lines.join('\n');
    expect(text).not.toContain('a secret love letter');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('/openim/');
  });
});
