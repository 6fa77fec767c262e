import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AwsEmulator } from '../../infra/local/aws-emulator';
import { parseOutageRequest } from '../../infra/local/fault-control';
import { runCli } from '../helpers/run-cli';

/** "EventBridge is down for N seconds", programmed in tests and over HTTP from another terminal. */
let now = Date.parse('2026-11-25T10:00:00.000Z');
const emulator = new AwsEmulator({ now: () => now });
let eventBridge: EventBridgeClient;

beforeAll(async () => {
  await emulator.start();
  eventBridge = new EventBridgeClient({ endpoint: emulator.url, maxAttempts: 1 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.stop());

const putEvent = () =>
  eventBridge.send(
    new PutEventsCommand({ Entries: [{ Source: 'openim', DetailType: 'AfterAddFriend', Detail: '{}' }] }),
  );
const control = (method: string, body?: unknown) =>
  fetch(`${emulator.url}/_local/faults`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe('an outage', () => {
  it('fails every request of the operation until its end, then lets them through', async () => {
    emulator.failUntil('PutEvents', 'throttle', now + 30_000);
    await expect(putEvent()).rejects.toMatchObject({ name: 'ThrottlingException' });
    now += 29_999;
    await expect(putEvent()).rejects.toMatchObject({ name: 'ThrottlingException' });
    now += 1;
    await expect(putEvent()).resolves.toMatchObject({ FailedEntryCount: 0 });
  });

  it('is started with POST /_local/faults and ended with DELETE', async () => {
    const started = await control('POST', { operation: 'PutEvents', fault: 'server-error', seconds: 30 });
    expect(started.status).toBe(200);
    expect(await started.json()).toEqual({
      outages: [{ operation: 'PutEvents', fault: 'server-error', untilMs: now + 30_000 }],
    });
    await expect(putEvent()).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    expect((await control('DELETE')).status).toBe(200);
    await expect(putEvent()).resolves.toMatchObject({ FailedEntryCount: 0 });
  });

  it('refuses a control request it cannot read, with the reason', async () => {
    const refused = await control('POST', { fault: 'server-error', seconds: 'soon' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ message: expect.stringContaining('seconds must be a number') });
    expect(parseOutageRequest({ seconds: 5 })).toEqual({ operation: 'PutEvents', fault: 'server-error', seconds: 5 });
    expect(parseOutageRequest({ seconds: 5, operation: 'Nope' })).toEqual({
      error: expect.stringContaining('operation'),
    });
    expect(parseOutageRequest({ seconds: 5, fault: 'melt' })).toEqual({ error: expect.stringContaining('fault') });
  });
});

describe('a delay', () => {
  it('still carries out a request whose caller stopped waiting, as AWS does once it has received it', async () => {
    emulator.injectFault('PutEvents', { delayMs: 1_000 });
    const stored = new Promise((resolve) => emulator.onEvent(resolve));
    // The caller gives up while the answer is delayed (as the callback function's publish timeout
    // does): once the emulator holds the request, not after a time that a busy machine could miss.
    const caller = new AbortController();
    const sent = eventBridge.send(
      new PutEventsCommand({ Entries: [{ Source: 'openim', DetailType: 'AfterAddFriend', Detail: '{}' }] }),
      { abortSignal: caller.signal },
    );
    while (emulator.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    caller.abort();
    await expect(sent).rejects.toThrow();
    await stored;
    expect(emulator.events).toHaveLength(1);
  });
});

describe('npm run local:fail', () => {
  it('makes the local EventBridge fail for the given seconds and says until when', async () => {
    const { code, stdout } = await runCli(
      'infra/local/fail-eventbridge.ts',
      ['--seconds', '30', '--fault', 'throttle', '--endpoint', emulator.url],
      {},
    );
    expect(stdout).toMatch(/^EventBridge \(PutEvents\) answers throttle for 30 s, until \S+Z/);
    expect(code).toBe(0);
    await expect(putEvent()).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('faults a single entry causes', () => {
  const entries = [
    { Source: 'openim', DetailType: 'AfterAddFriend', Detail: '{}' },
    { Source: 'openim-old', DetailType: 'AfterAddFriend', Detail: '{}' },
  ];

  it('refuses the whole PutEvents call with AccessDeniedException when one entry matches denyRequestIf', async () => {
    emulator.faultPolicy = () => ({ denyRequestIf: (entry) => entry.Source !== 'openim' });
    await expect(eventBridge.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(eventBridge.send(new PutEventsCommand({ Entries: [entries[0] as never] }))).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
    expect(emulator.events).toHaveLength(1);
  });

  it('answers a Time that is not a date (the SDK writes NaN, which is not JSON) with SerializationException for the whole call', async () => {
    const bad = { ...entries[0], Time: new Date(Number.NaN) };
    await expect(eventBridge.send(new PutEventsCommand({ Entries: [entries[0] as never, bad] }))).rejects.toMatchObject(
      {
        name: 'SerializationException',
        $metadata: { httpStatusCode: 400 },
      },
    );
    expect(emulator.events).toHaveLength(0);
  });

  it('fails matching entries with the given per-entry error code in an HTTP 200 answer', async () => {
    emulator.faultPolicy = () => ({
      failEntry: (entry) => entry.Source === 'openim-old',
      errorCode: 'MalformedDetail',
    });
    const { Entries } = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
    expect(Entries).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'injected failure' },
    ]);
  });
});
