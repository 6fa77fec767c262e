import { SQSClient } from '@aws-sdk/client-sqs';
import { CALLBACK_DETAIL_TYPES } from '../../functions/contract/events';
import { RedriveRefusedError, redrive } from '../../infra/cli/redrive-events';
import { addFriendBody, type Harness, httpApiEvent, invoke, startHarness, TEST_SETTINGS } from '../helpers/harness';
import { runCli } from '../helpers/run-cli';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(TEST_SETTINGS);
});
afterAll(() => harness.stop());

/** Parks `count` events the honest way: through the handler while EventBridge refuses them. */
const parkEvents = async (count: number) => {
  const handler = await harness.handlerWith();
  harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
  // One at a time, as one Lambda instance takes them.
  const replies = [];
  for (let index = 0; index < count; index += 1) {
    const headers = { 'content-type': 'application/json', operationid: `op-${index}` };
    replies.push(await invoke(handler, httpApiEvent({ body: addFriendBody(), headers })));
  }
  expect(replies.map(({ response }) => response.statusCode)).toEqual(replies.map(() => 200));
  expect(queued()).toHaveLength(count);
  harness.emulator.clearFaults();
};

const queued = () => harness.emulator.messages(harness.queueUrl);
const deadLetters = () => harness.emulator.messages(deadLetterQueueUrl());
const deadLetterQueueUrl = () => harness.emulator.queueUrl('openim-friend-events-dead-letters');
/** What SQS does after maxReceiveCount receives: the messages move to the final dead-letter queue. */
const deadLetterAll = () => {
  deadLetters().push(
    ...queued()
      .splice(0)
      .map((message) => ({ ...message, invisibleUntil: 0 })),
  );
};
const parkedOperationIDs = (messages: { body: string }[]) =>
  messages.map((message) => String(JSON.parse(JSON.parse(message.body).entry.Detail).operationID)).sort();

beforeEach(() => {
  harness.emulator.reset();
});

describe('redrive', () => {
  const options = () => ({
    fromQueueUrl: deadLetterQueueUrl(),
    toQueueUrl: harness.queueUrl,
    maxMessages: 1_000,
    visibilityTimeoutSeconds: 60,
  });

  it('moves every dead-lettered message back to the retry queue, unchanged, and empties the dead-letter queue', async () => {
    await parkEvents(23);
    deadLetterAll();
    const bodies = deadLetters().map((message) => message.body);

    const progress: number[] = [];
    const summary = await redrive(new SQSClient({}), { ...options(), onProgress: (p) => progress.push(p.received) });

    expect(summary).toEqual({ received: 23, moved: 23, failed: 0, skipped: 0 });
    expect(progress).toEqual([10, 20, 23]);
    expect(deadLetters()).toHaveLength(0);
    expect(
      queued()
        .map((message) => message.body)
        .sort(),
    ).toEqual(bodies.sort());
  });

  it('leaves a message it could not move in the dead-letter queue, and a later run moves it', async () => {
    await parkEvents(5);
    deadLetterAll();
    harness.emulator.injectFault('SendMessage', 'server-error', 3); // the SDK's own 3 attempts

    const first = await redrive(new SQSClient({}), options());
    expect(first).toEqual({ received: 5, moved: 4, failed: 1, skipped: 0 });
    expect(deadLetters()).toHaveLength(1);

    for (const message of deadLetters()) message.invisibleUntil = 0; // the visibility timeout has passed
    const second = await redrive(new SQSClient({}), options());
    expect(second).toEqual({ received: 1, moved: 1, failed: 0, skipped: 0 });
    expect(parkedOperationIDs(queued())).toEqual(['op-0', 'op-1', 'op-2', 'op-3', 'op-4']);
  });

  it('is safe to interrupt: a run stopped part-way and run again moves everything exactly once', async () => {
    await parkEvents(15);
    deadLetterAll();
    const interrupted = await redrive(new SQSClient({}), { ...options(), maxMessages: 10 });
    expect(interrupted.moved).toBe(10);
    const resumed = await redrive(new SQSClient({}), options());
    expect(resumed.moved).toBe(5);
    expect(parkedOperationIDs(queued())).toEqual(Array.from({ length: 15 }, (_, index) => `op-${index}`).sort());
  });

  it('refuses a queue to itself before anything moves (it used to report every message as moved)', async () => {
    await parkEvents(3);
    const bodies = queued().map((message) => message.body);
    const run = redrive(new SQSClient({}), {
      ...options(),
      fromQueueUrl: harness.queueUrl,
      toQueueUrl: harness.queueUrl,
    });
    await expect(run).rejects.toThrow(RedriveRefusedError);
    await expect(run).rejects.toThrow('--from and --to are the same queue: nothing would move');
    expect(queued().map((message) => message.body)).toEqual(bodies);
    expect(queued().every((message) => message.receiveCount === 0)).toBe(true);
  });

  it('refuses a move from the retry queue to its dead-letter queue (backwards)', async () => {
    await parkEvents(2);
    const run = redrive(new SQSClient({}), {
      ...options(),
      fromQueueUrl: harness.queueUrl,
      toQueueUrl: deadLetterQueueUrl(),
    });
    await expect(run).rejects.toThrow(/--from is the retry queue and --to its dead-letter queue: that is backwards/);
    expect([queued().length, deadLetters().length]).toEqual([2, 0]);
  });

  it('moves a message seen twice in one run (its delete failed) once, and counts it once', async () => {
    await parkEvents(1);
    deadLetterAll();
    harness.emulator.injectFault('DeleteMessage', 'server-error', 3); // the SDK's own 3 attempts
    const summary = await redrive(new SQSClient({}), { ...options(), visibilityTimeoutSeconds: 0 });
    expect(summary).toEqual({ received: 1, moved: 1, failed: 0, skipped: 0 });
    expect([queued().length, deadLetters().length]).toEqual([1, 0]);
  });

  it('leaves messages that are not parked entries untouched', async () => {
    harness.emulator.enqueue(deadLetterQueueUrl(), '{"hello":1}');
    const summary = await redrive(new SQSClient({}), options());
    expect(summary).toEqual({ received: 1, moved: 0, failed: 0, skipped: 1 });
    expect(deadLetters()).toHaveLength(1);
  });
});

describe('the redrive and callback-url commands', () => {
  const env = () => ({ AWS_ENDPOINT_URL: harness.emulator.url, AWS_REGION: 'us-east-1' });

  beforeEach(() => {
    harness.emulator.stacks.set('OpenImFriendEvents', {
      CallbackBaseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/openim',
      TokenSecretArn: 'openim-friend-events/callback-token',
      RetryQueueUrl: harness.queueUrl,
      DeadLetterQueueUrl: deadLetterQueueUrl(),
    });
  });

  it('npm run redrive -- --stack finds the queue from the stack outputs, prints progress and a summary, exits 0', async () => {
    await parkEvents(3);
    deadLetterAll();
    const { code, stdout } = await runCli('infra/cli/redrive.ts', ['--stack', 'OpenImFriendEvents'], env());
    expect(stdout).toContain('redrive: 3 received, 3 moved to the retry queue, 0 failed, 0 skipped');
    expect(stdout).toContain('done: 3 event(s) back in the retry queue');
    expect(code).toBe(0);
    expect([deadLetters().length, queued().length]).toEqual([0, 3]);
  });

  it('npm run redrive exits 1 when something is left in the queue', async () => {
    harness.emulator.enqueue(deadLetterQueueUrl(), 'not ours');
    const { code } = await runCli(
      'infra/cli/redrive.ts',
      ['--from', deadLetterQueueUrl(), '--to', harness.queueUrl],
      env(),
    );
    expect(code).toBe(1);
  });

  it.each([
    ['the same queue twice', () => [harness.queueUrl, harness.queueUrl], /same queue/],
    ['the retry queue to its dead-letter queue', () => [harness.queueUrl, deadLetterQueueUrl()], /backwards/],
  ])('npm run redrive refuses %s in one line, exit 2, and moves nothing', async (_label, queues, message) => {
    await parkEvents(2);
    const [from = '', to = ''] = queues();
    const { code, stdout, stderr } = await runCli('infra/cli/redrive.ts', ['--from', from, '--to', to], env());
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
    expect(code).toBe(2);
    expect([queued().length, deadLetters().length]).toEqual([2, 0]);
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
    // Every after-callback this endpoint turns into an event, each enabled.
    for (const detailType of CALLBACK_DETAIL_TYPES) {
      const key = detailType.charAt(0).toLowerCase() + detailType.slice(1);
      expect(stdout).toMatch(new RegExp(`^${key}: +\\{ enable: true, timeout: 5 \\}`, 'm'));
    }
  });

  it('fails clearly for a stack that does not exist', async () => {
    const { code, stderr } = await runCli('infra/cli/callback-url.ts', ['--stack', 'Nope'], env());
    expect(stderr).toBe('error: stack Nope does not exist in region us-east-1: check --stack and --region\n');
    expect(code).toBe(3);
  });
});
