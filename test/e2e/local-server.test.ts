import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { startLocalServer } from '../../infra/local/http-api-adapter';
import { startLocalAws } from '../../infra/local/local-environment';
import { decodeOpenImReply } from '../../infra/openim-sender-simulator/openim-reply';
import { OPENIM_VERSIONS, openImRequest, sampleBodies } from '../../infra/openim-sender-simulator/openim-request';
import { sendCallback } from '../../infra/openim-sender-simulator/send-callback';

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
  const { handler } = await import('../../functions/openim-callback/handler');
  ({ url: baseUrl, close } = await startLocalServer(handler));
});
afterAll(async () => {
  await close();
  await emulator.stop();
});
beforeEach(() => {
  emulator.events.length = 0;
});

const commands = Object.keys(sampleBodies) as (keyof typeof sampleBodies)[];
const detailTypes = {
  callbackAfterAddFriendCommand: 'AfterAddFriend',
  callbackAfterAddFriendAgreeCommand: 'AfterAddFriendAgree',
  callbackAfterImportFriendsCommand: 'AfterImportFriends',
};

describe.each(OPENIM_VERSIONS)('an OpenIM %s server', (version) => {
  it.each(commands)('gets a success reply it can decode for %s, and the event reaches the bus', async (command) => {
    const request = openImRequest(version, `${baseUrl}/openim/${TOKEN}`, { ...sampleBodies[command] }, 'op-e2e');
    const response = await sendCallback(request);

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
      detail: { operationID: 'op-e2e', callbackCommand: command },
    });
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
    await sendCallback(request);
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
    const response = await sendCallback(request);
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
    const response = await sendCallback(request);
    expect(response.status).toBe(401);
    expect(decodeOpenImReply(response.body)).toMatchObject({ actionCode: 1, errCode: 20005, nextCode: 0 });
    expect(emulator.events).toHaveLength(0);
  });

  it("answers a request outside the callback layout (an unknown path) in OpenIM's format too", async () => {
    const response = await sendCallback({ url: `${baseUrl}/favicon.ico`, headers: [], body: Buffer.alloc(0) });
    expect(decodeOpenImReply(response.body)).toMatchObject({ actionCode: 1, errCode: 20005 });
  });
});
