import { SQSClient } from '@aws-sdk/client-sqs';
import { createEventPublisher } from '../../functions/aws/event-publisher';
import { redrive } from '../../infra/cli/redrive-events';
import {
  addFriendBody,
  FAST_BUDGETS,
  type Harness,
  httpApiEvent,
  invoke,
  operationIDsIn,
  startHarness,
} from '../helpers/harness';
import { runCli } from '../helpers/run-cli';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(FAST_BUDGETS);
});
afterAll(() => harness.stop());

/** Parks `count` events the honest way: through the handler while EventBridge refuses them. */
const parkEvents = async (count: number) => {
  const handler = await harness.handlerWith();
  harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
  const replies = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      invoke(
        handler,
        httpApiEvent({
          body: addFriendBody(),
          headers: { 'content-type': 'application/json', operationid: `op-${index}` },
        }),
      ),
    ),
  );
  expect(replies.map(({ response }) => response.statusCode)).toEqual(replies.map(() => 200));
  expect(queued()).toHaveLength(count);
  harness.emulator.clearFaults();
};

const operationIDsOnBus = () => harness.emulator.events.map((event) => String(event.detail.operationID)).sort();
const queued = () => harness.emulator.messages(harness.queueUrl);
const makeAllVisible = () => {
  for (const message of queued()) message.invisibleUntil = 0;
};

beforeEach(() => {
  harness.emulator.reset();
});

describe('redrive', () => {
  const options = () => ({
    queueUrl: harness.queueUrl,
    maxMessages: 1_000,
    visibilityTimeoutSeconds: 60,
    publishTimeoutMs: 300,
  });
  const publisher = () => createEventPublisher({ attemptTimeoutMs: 100, baseDelayMs: 5, maxDelayMs: 20 });

  it('re-publishes every parked entry, unchanged, and empties the queue', async () => {
    await parkEvents(23);
    const parkedDetails = queued().map((message) => JSON.parse(JSON.parse(message.body).entry.Detail));
    const byOperation = (a: { operationID: string }, b: { operationID: string }) =>
      a.operationID.localeCompare(b.operationID);

    const progress: number[] = [];
    const summary = await redrive(new SQSClient({}), publisher(), {
      ...options(),
      onProgress: (p) => progress.push(p.received),
    });

    expect(summary).toEqual({ received: 23, republished: 23, failed: 0, skipped: 0 });
    expect(progress).toEqual([10, 20, 23]);
    expect(queued()).toHaveLength(0);
    expect(harness.emulator.events.map((event) => event.detail as { operationID: string }).sort(byOperation)).toEqual(
      parkedDetails.sort(byOperation),
    );
    expect(harness.emulator.events[0]).toMatchObject({
      source: 'openim',
      detailType: 'AfterAddFriend',
      time: '2026-11-25T10:00:00.000Z',
    });
  });

  it('leaves an entry that still fails in the queue, and a later run moves it', async () => {
    await parkEvents(5);
    const isOp3 = (entry: Record<string, unknown>) => operationIDsIn({ Entries: [entry] }).includes('op-3');
    harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? { failEntry: isOp3 } : undefined);

    const first = await redrive(new SQSClient({}), publisher(), options());
    expect(first).toEqual({ received: 5, republished: 4, failed: 1, skipped: 0 });
    expect(queued()).toHaveLength(1);

    harness.emulator.clearFaults();
    makeAllVisible(); // the visibility timeout has passed
    const second = await redrive(new SQSClient({}), publisher(), options());
    expect(second).toEqual({ received: 1, republished: 1, failed: 0, skipped: 0 });
    expect(operationIDsOnBus()).toEqual(['op-0', 'op-1', 'op-2', 'op-3', 'op-4']);
  });

  it('is safe to interrupt: a run stopped part-way and run again moves everything exactly once', async () => {
    await parkEvents(15);
    const interrupted = await redrive(new SQSClient({}), publisher(), { ...options(), maxMessages: 10 });
    expect(interrupted.republished).toBe(10);
    const resumed = await redrive(new SQSClient({}), publisher(), options());
    expect(resumed.republished).toBe(5);
    expect(operationIDsOnBus()).toEqual(Array.from({ length: 15 }, (_, index) => `op-${index}`).sort());
  });

  it('leaves messages that are not parked entries untouched', async () => {
    harness.emulator.enqueue(harness.queueUrl, '{"hello":1}');
    const summary = await redrive(new SQSClient({}), publisher(), options());
    expect(summary).toEqual({ received: 1, republished: 0, failed: 0, skipped: 1 });
    expect(queued()).toHaveLength(1);
  });
});

describe('the redrive and callback-url commands', () => {
  const env = () => ({ AWS_ENDPOINT_URL: harness.emulator.url, AWS_REGION: 'us-east-1' });

  beforeEach(() => {
    harness.emulator.stacks.set('OpenImFriendEvents', {
      CallbackBaseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/openim',
      TokenSecretArn: 'openim-friend-events/callback-token',
      DeadLetterQueueUrl: harness.queueUrl,
    });
  });

  it('npm run redrive -- --stack finds the queue from the stack outputs, prints progress and a summary, exits 0', async () => {
    await parkEvents(3);
    const { code, stdout } = await runCli('infra/cli/redrive.ts', ['--stack', 'OpenImFriendEvents'], env());
    expect(stdout).toContain('redrive: 3 received, 3 re-published, 0 failed, 0 skipped');
    expect(stdout).toContain('done: 3 event(s) back on the bus');
    expect(code).toBe(0);
    expect(queued()).toHaveLength(0);
  });

  it('npm run redrive exits 1 when something is left in the queue', async () => {
    harness.emulator.enqueue(harness.queueUrl, 'not ours');
    const { code } = await runCli('infra/cli/redrive.ts', ['--queue-url', harness.queueUrl], env());
    expect(code).toBe(1);
  });

  it('npm run callback-url prints the full URL with the token read from Secrets Manager', async () => {
    const { code, stdout } = await runCli('infra/cli/callback-url.ts', ['--stack', 'OpenImFriendEvents'], env());
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(
      `https://abc123.execute-api.eu-west-1.amazonaws.com/openim/test-token-0123456789abcdefghijklmnopqrstu`,
    );
  });

  it('npm run callback-url -- --yaml prints the webhooks.yml lines to paste', async () => {
    const { stdout } = await runCli('infra/cli/callback-url.ts', ['--stack', 'OpenImFriendEvents', '--yaml'], env());
    expect(stdout).toMatch(/^url: https:\/\/abc123\.execute-api\.eu-west-1\.amazonaws\.com\/openim\/test-token-\S+$/m);
    expect(stdout).toContain('afterAddFriendAgree: { enable: true, timeout: 5 }');
  });

  it('fails clearly for a stack that does not exist', async () => {
    const { code, stderr } = await runCli('infra/cli/callback-url.ts', ['--stack', 'Nope'], env());
    expect(stderr).toBe('error: stack Nope does not exist in region us-east-1: check --stack and --region\n');
    expect(code).toBe(3);
  });
});
