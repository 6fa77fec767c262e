import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { singleAttemptClientConfig } from '../../functions/adapters/aws/clients';
import { AwsEmulator } from '../../infra/local/aws-emulator';

/**
 * The SDK client settings of every adapter, against the loopback endpoint. A busy event loop
 * (many function instances in one process locally, or a loaded machine) delays the 'connect'
 * event of a socket that has connected: no timer may fail such a call before its own bound.
 */
let emulator: AwsEmulator;
beforeAll(async () => {
  emulator = new AwsEmulator();
  await emulator.start();
});
afterAll(() => emulator.stop());

/** Keeps the event loop busy for `ms` right after each new connection is opened. */
class BusyAfterConnectingAgent extends Agent {
  constructor(private readonly busyMs: number) {
    super();
  }
  override createConnection(...args: Parameters<Agent['createConnection']>): Duplex | null | undefined {
    const socket = super.createConnection(...args);
    // After the client has set its timers for this request, before the loop can deliver 'connect'.
    queueMicrotask(() => {
      const until = Date.now() + this.busyMs;
      while (Date.now() < until) {
        // busy, as an event loop shared by many callbacks is
      }
    });
    return socket;
  }
}

it('a call whose connection waited behind a busy event loop succeeds within its own bound', async () => {
  const config = singleAttemptClientConfig(5_000);
  const client = new EventBridgeClient({
    ...config,
    endpoint: emulator.url,
    requestHandler: { ...config.requestHandler, httpAgent: new BusyAfterConnectingAgent(1_500) },
  });
  try {
    // Started from the check phase, so the next phase the loop runs after the busy spell is its timers'.
    const output = await new Promise<unknown>((resolve, reject) => {
      setImmediate(() => {
        client
          .send(new PutEventsCommand({ Entries: [{ Source: 'openim', DetailType: 'AfterAddFriend', Detail: '{}' }] }))
          .then(resolve, reject);
      });
    });
    expect(output).toMatchObject({ FailedEntryCount: 0 });
    expect(emulator.events).toHaveLength(1);
  } finally {
    client.destroy();
  }
});
