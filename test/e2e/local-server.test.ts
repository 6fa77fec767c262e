import { connect } from 'node:net';
import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { startLocalServer } from '../../infra/local/http-api-adapter';
import { startLocalAws } from '../../infra/local/local-environment';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import {
  OPENIM_VERSIONS,
  openImRequest,
  sampleBodies,
  sampleBody,
  sendsCommand,
} from '../../infra/openim-sender-simulator/openim-request';
import { sendCallback } from '../../infra/openim-sender-simulator/send-callback';
import { testHandler, UNHURRIED } from '../helpers/harness';

/**
 * The local server over a real socket, sent the exact bytes each OpenIM server version sends,
 * every reply decoded the way OpenIM's Go client decodes it.
 */
const TOKEN = 'e2e-token-abcdefghijklmnopqrstuvwxyz0123456';
let emulator: AwsEmulator;
let baseUrl: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ emulator } = await startLocalAws({ token: TOKEN }));
  ({ url: baseUrl, close } = await startLocalServer(await testHandler(process.env), {
    invocationTimeoutMs: UNHURRIED.replyBudgetMs,
  }));
});
afterAll(async () => {
  await close();
  await emulator.stop();
});
beforeEach(() => {
  emulator.events.length = 0;
});

/** OpenIM's own client waits 5 s; this one waits as long as a loaded machine needs: the reply is the subject. */
const sendUnhurried = (request: Parameters<typeof sendCallback>[0]) => sendCallback(request, UNHURRIED.replyBudgetMs);

const commands = Object.keys(sampleBodies) as (keyof typeof sampleBodies)[];
const detailTypes = {
  callbackAfterAddFriendCommand: 'AfterAddFriend',
  callbackAfterAddFriendAgreeCommand: 'AfterAddFriendAgree',
  callbackAfterImportFriendsCommand: 'AfterImportFriends',
  callbackAfterDeleteFriendCommand: 'AfterDeleteFriend',
  callbackAfterSetFriendRemarkCommand: 'AfterSetFriendRemark',
  callbackAfterRemoveBlackCommand: 'AfterRemoveBlack',
};

describe.each(OPENIM_VERSIONS)('an OpenIM %s server', (version) => {
  const sent = commands.filter((command) => sendsCommand(version, command));
  it.each(sent)('gets a success reply it can decode for %s, and the event reaches the bus', async (command) => {
    const body = sampleBody(version, command);
    const request = openImRequest(version, `${baseUrl}/openim/${TOKEN}`, body, 'op-e2e');
    const response = await sendUnhurried(request);

    expect(response.status).toBe(200);
    expect(response.contentType).toBe('application/json');
    expect(decodeOpenImReply(response.body)).toEqual({
      actionCode: 0,
      errCode: 0,
      errMsg: '',
      errDlt: '',
      nextCode: 0,
    });
    expect(emulator.events).toHaveLength(1);
    expect(emulator.events[0]).toMatchObject({
      source: 'openim',
      detailType: detailTypes[command],
      detail: { operationID: 'op-e2e', callbackCommand: body.callbackCommand },
    });
  });
});

describe('the rest of the friend lifecycle, from the exact bytes each server generation sends', () => {
  const url = () => `${baseUrl}/openim/${TOKEN}`;
  const publishedDetail = async (request: ReturnType<typeof openImRequest>) => {
    const response = await sendUnhurried(request);
    expect(decodeOpenImReply(response.body)).toMatchObject({ actionCode: 0, errCode: 0 });
    expect(emulator.events).toHaveLength(1);
    return emulator.events[0];
  };
  const ids = { ownerUserID: '3958741620' };

  it.each(['v3.7+', 'v3.4.2-v3.6'] as const)('%s: a delete becomes AfterDeleteFriend', async (version) => {
    const request = openImRequest(version, url(), sampleBody(version, 'callbackAfterDeleteFriendCommand'), 'op-del');
    expect(request.body.toString()).toMatch(
      /^\{"callbackCommand":"callbackAfterDeleteFriendCommand","ownerUserID":"3958741620","friendUserID":"6127384950"\}\n?$/,
    );
    expect(await publishedDetail(request)).toMatchObject({
      detailType: 'AfterDeleteFriend',
      detail: { ...ids, friendUserID: '6127384950', operationID: 'op-del', schemaVersion: 1 },
    });
  });

  it('v3.7+: a remark arrives as callbackAfterSetFriendRemarkCommand, Go escapes decoded', async () => {
    const request = openImRequest(
      'v3.7+',
      url(),
      sampleBody('v3.7+', 'callbackAfterSetFriendRemarkCommand'),
      'op-remark',
    );
    expect(request.url).toMatch(/\/callbackAfterSetFriendRemarkCommand$/);
    expect(request.body.toString()).toBe(
      '{"callbackCommand":"callbackAfterSetFriendRemarkCommand","ownerUserID":"3958741620","friendUserID":"6127384950","remark":"Bob (work) \\u003c3"}\n',
    );
    expect(await publishedDetail(request)).toMatchObject({
      detailType: 'AfterSetFriendRemark',
      detail: {
        ...ids,
        friendUserID: '6127384950',
        remark: 'Bob (work) <3',
        callbackCommand: 'callbackAfterSetFriendRemarkCommand',
      },
    });
  });

  it('v3.4.2-v3.6: a remark arrives as callbackAfterSetFriendRemark (no "Command"), kept verbatim', async () => {
    const request = openImRequest(
      'v3.4.2-v3.6',
      url(),
      sampleBody('v3.4.2-v3.6', 'callbackAfterSetFriendRemarkCommand'),
      'op-old',
    );
    expect(request.url).toMatch(/\/callbackAfterSetFriendRemark$/);
    expect(request.body.toString()).toBe(
      '{"callbackCommand":"callbackAfterSetFriendRemark","ownerUserID":"3958741620","friendUserID":"6127384950","remark":"Bob (work) \\u003c3"}',
    );
    expect(await publishedDetail(request)).toMatchObject({
      detailType: 'AfterSetFriendRemark',
      detail: {
        ...ids,
        remark: 'Bob (work) <3',
        callbackCommand: 'callbackAfterSetFriendRemark',
        operationID: 'op-old',
      },
    });
  });

  it('v3.8.1+: an unblock becomes AfterRemoveBlack', async () => {
    const request = openImRequest('v3.7+', url(), sampleBody('v3.7+', 'callbackAfterRemoveBlackCommand'), 'op-unblock');
    expect(await publishedDetail(request)).toMatchObject({
      detailType: 'AfterRemoveBlack',
      detail: { ...ids, blackUserID: '6127384950', callbackCommand: 'callbackAfterRemoveBlackCommand' },
    });
  });

  it('accepts a control character in an ID (OpenIM takes any ID without ":") and keeps it as sent', async () => {
    const body = { ...sampleBody('v3.7+', 'callbackAfterSetFriendRemarkCommand'), friendUserID: '6127384950\u0000' };
    expect(await publishedDetail(openImRequest('v3.7+', url(), body, 'op-nul'))).toMatchObject({
      detail: { friendUserID: '6127384950\u0000' },
    });
  });

  it('refuses an ID with a lone surrogate (no OpenIM server can send one) with 400 / 20002, and publishes nothing', async () => {
    const body = { ...sampleBody('v3.7+', 'callbackAfterSetFriendRemarkCommand'), friendUserID: '6127384950\ud800' };
    const response = await sendUnhurried(openImRequest('v3.7+', url(), body, 'op-bad'));
    expect(response.status).toBe(400);
    expect(decodeOpenImReply(response.body)).toMatchObject({ actionCode: 1, errCode: 20002 });
    expect(emulator.events).toHaveLength(0);
  });

  it('accepts an operationID header of 300 bytes, cut to 256 and flagged in the event', async () => {
    const body = sampleBody('v3.7+', 'callbackAfterDeleteFriendCommand');
    expect(await publishedDetail(openImRequest('v3.7+', url(), body, 'o'.repeat(300)))).toMatchObject({
      detail: { operationID: 'o'.repeat(256), alteredFields: ['operationID'] },
    });
  });

  it('the simulator never fakes remove-black for servers before v3.8.1', () => {
    expect(sendsCommand('v3.4.2-v3.6', 'callbackAfterRemoveBlackCommand')).toBe(false);
    expect(() => sampleBody('v3.0-v3.4.0', 'callbackAfterDeleteFriendCommand')).toThrow(/never sends/);
  });
});

describe('the local API Gateway', () => {
  it('gives each request its own request id: two identical callbacks with one operationID get two keys', async () => {
    const body = sampleBody('v3.7+', 'callbackAfterImportFriendsCommand');
    for (let index = 0; index < 2; index += 1) {
      await sendUnhurried(openImRequest('v3.7+', `${baseUrl}/openim/${TOKEN}`, body, 'op-fixed'));
    }
    const keys = emulator.events.map((event) => event.detail.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });
});

describe('wire details', () => {
  it('sends what OpenIM sends: Go escapes, a trailing newline from v3.7, no operationID header before v3.7 when empty', () => {
    const newer = openImRequest('v3.7+', 'http://h/openim/t', { ...sampleBodies.callbackAfterAddFriendCommand }, '');
    const older = openImRequest(
      'v3.4.2-v3.6',
      'http://h/openim/t',
      { ...sampleBodies.callbackAfterAddFriendCommand },
      '',
    );
    expect(newer.body.toString()).toBe(
      '{"callbackCommand":"callbackAfterAddFriendCommand","fromUserID":"3958741620","toUserID":"6127384950","reqMsg":"Hi \\u003c3 \\u0026 welcome"}\n',
    );
    expect(older.body.toString().endsWith('}')).toBe(true);
    expect(newer.headers.map(([name]) => name)).toContain('Operationid');
    expect(older.headers.map(([name]) => name)).not.toContain('Operationid');
    expect(
      openImRequest('v3.0-v3.4.0', 'http://h/openim/t', { ...sampleBodies.callbackAfterAddFriendCommand }, '').url,
    ).toBe('http://h/openim/t?command=callbackAfterAddFriendCommand');
  });

  it("decodes Go's \\u003c and \\u0026 escapes back into the request message", async () => {
    const request = openImRequest(
      'v3.7+',
      `${baseUrl}/openim/${TOKEN}`,
      { ...sampleBodies.callbackAfterAddFriendCommand },
      'op-1',
    );
    await sendUnhurried(request);
    expect(emulator.events[0]?.detail.reqMsg).toBe('Hi <3 & welcome');
  });

  it('accepts a configured URL that ends in "/" (the command arrives after "//")', async () => {
    const request = openImRequest(
      'v3.7+',
      `${baseUrl}/openim/${TOKEN}/`,
      { ...sampleBodies.callbackAfterImportFriendsCommand },
      'op-1',
    );
    expect(request.url).toContain(`${TOKEN}//callbackAfterImportFriendsCommand`);
    const response = await sendUnhurried(request);
    expect(decodeOpenImReply(response.body).actionCode).toBe(0);
    expect(emulator.events).toHaveLength(1);
  });

  it('answers a wrong token with a refusal OpenIM can decode, and publishes nothing', async () => {
    const request = openImRequest(
      'v3.7+',
      `${baseUrl}/openim/not-the-token`,
      { ...sampleBodies.callbackAfterAddFriendCommand },
      'op-1',
    );
    const response = await sendUnhurried(request);
    expect(response.status).toBe(401);
    expect(decodeOpenImReply(response.body)).toMatchObject({ actionCode: 1, errCode: 20005, nextCode: 0 });
    expect(emulator.events).toHaveLength(0);
  });

  it("answers a request outside the callback layout (an unknown path) in OpenIM's format too", async () => {
    const response = await sendUnhurried({ url: `${baseUrl}/favicon.ico`, headers: [], body: Buffer.alloc(0) });
    expect(decodeOpenImReply(response.body)).toMatchObject({ actionCode: 1, errCode: 20005 });
  });
});

describe('the local server under hostile clients', () => {
  const raw = (text: string, destroyAfterMs?: number) =>
    new Promise<string>((resolve) => {
      const target = new URL(baseUrl);
      const socket = connect(Number(target.port), target.hostname);
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
      });
      socket.on('close', () => resolve(received));
      socket.on('error', () => resolve(received));
      socket.write(text);
      if (destroyAfterMs !== undefined) setTimeout(() => socket.destroy(), destroyAfterMs);
      else socket.end();
    });
  const stillServing = async () => (await fetch(`${baseUrl}/openim/${TOKEN}`, { method: 'POST' })).status;

  it('keeps serving after a client disconnects in the middle of a body', async () => {
    await raw(
      'POST /openim/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"a":',
      100,
    );
    expect(await stillServing()).toBe(415);
  });

  it('answers a path of // with the JSON reply instead of crashing', async () => {
    const reply = await raw(
      'POST // HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 401/);
    expect(reply).toContain('"errCode":20005');
    expect(await stillServing()).toBe(415);
  });
});
