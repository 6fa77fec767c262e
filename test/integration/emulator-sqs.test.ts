import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AwsEmulator } from '../../infra/local/aws-emulator';

/** What a Lambda-style queue drainer needs from SQS, through the real client, on a fake clock. */
let now = Date.parse('2026-11-25T10:00:00.000Z');
const emulator = new AwsEmulator({ now: () => now });
let sqs: SQSClient;

beforeAll(async () => {
  await emulator.start();
  sqs = new SQSClient({ endpoint: emulator.url, maxAttempts: 1 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.stop());

const send = (queueUrl: string, body: string) =>
  sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
const receive = async (queueUrl: string, visibilityTimeout = 30): Promise<Message[]> =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilityTimeout,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    )
  ).Messages ?? [];

describe('ReceiveMessage', () => {
  it('returns ApproximateReceiveCount and SentTimestamp when asked, counting every receive', async () => {
    const queueUrl = emulator.queueUrl('counts');
    await send(queueUrl, 'a');
    const [first] = await receive(queueUrl, 0);
    const [second] = await receive(queueUrl, 0);
    expect(first?.Attributes).toEqual({ ApproximateReceiveCount: '1', SentTimestamp: String(now) });
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('returns every system attribute for "All" (also by the older AttributeNames), none when not asked', async () => {
    const queueUrl = emulator.queueUrl('all');
    await send(queueUrl, 'a');
    const { Messages: all = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, AttributeNames: ['All'], VisibilityTimeout: 0 }),
    );
    expect(Object.keys(all[0]?.Attributes ?? {}).sort()).toEqual([
      'ApproximateFirstReceiveTimestamp',
      'ApproximateReceiveCount',
      'SentTimestamp',
    ]);
    const { Messages: plain = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(plain[0]?.Attributes).toBeUndefined();
  });

  it('hides a received message for its visibility timeout, then shows it again', async () => {
    const queueUrl = emulator.queueUrl('visibility');
    await send(queueUrl, 'a');
    expect(await receive(queueUrl, 30)).toHaveLength(1);
    now += 29_999;
    expect(await receive(queueUrl)).toHaveLength(0);
    now += 1;
    expect(await receive(queueUrl)).toHaveLength(1);
  });
});

describe('ReceiveMessage with WaitTimeSeconds (long polling)', () => {
  /** Starts a long poll and resolves once the emulator holds it, so what the test does next happens during the wait. */
  const longPoll = async (queueUrl: string) => {
    const before = emulator.requests.length;
    const answer = sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }),
    );
    while (!emulator.requests.slice(before).some((request) => request.operation === 'ReceiveMessage')) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { answer }; // wrapped: an async function returning the promise itself would wait for the answer
  };

  it('waits on an empty queue and answers with the message sent meanwhile (an idle poller does not spin)', async () => {
    const queueUrl = emulator.queueUrl('long-poll');
    const polled = await longPoll(queueUrl);
    await send(queueUrl, 'arrived during the wait');
    expect((await polled.answer).Messages?.map((message) => message.Body)).toEqual(['arrived during the wait']);
  });

  it('answers with a message made visible again during the wait', async () => {
    const queueUrl = emulator.queueUrl('long-poll-visibility');
    await send(queueUrl, 'a');
    const [message] = await receive(queueUrl, 30);
    const polled = await longPoll(queueUrl);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect((await polled.answer).Messages?.map((received) => received.MessageId)).toEqual([message?.MessageId]);
  });

  it('refuses a wait over 20 seconds, as SQS does', async () => {
    await expect(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: emulator.queueUrl('too-long'), WaitTimeSeconds: 21 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    });
  });
});

describe('ChangeMessageVisibility', () => {
  it('makes an in-flight message visible again at once (0) or hides it longer', async () => {
    const queueUrl = emulator.queueUrl('change');
    await send(queueUrl, 'a');
    const [message] = await receive(queueUrl, 30);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const [again] = await receive(queueUrl, 30);
    expect(again?.MessageId).toBe(message?.MessageId);

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: again?.ReceiptHandle,
        VisibilityTimeout: 600,
      }),
    );
    now += 599_999;
    expect(await receive(queueUrl)).toHaveLength(0);
    now += 1;
    expect(await receive(queueUrl)).toHaveLength(1);
  });

  it('refuses an unknown receipt handle, a message no longer in flight and a timeout over 12 hours, as SQS does', async () => {
    const queueUrl = emulator.queueUrl('refusals');
    await send(queueUrl, 'a');
    const [message] = await receive(queueUrl, 10);
    const change = (receiptHandle: string | undefined, seconds: number) =>
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    await expect(change('nope', 5)).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
    await expect(change(message?.ReceiptHandle, 43_201)).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    now += 10_000;
    await expect(change(message?.ReceiptHandle, 5)).rejects.toMatchObject({ name: 'MessageNotInflight' });
  });
});

describe('the batch calls', () => {
  it('ChangeMessageVisibilityBatch and DeleteMessageBatch answer per entry', async () => {
    const queueUrl = emulator.queueUrl('batch');
    await send(queueUrl, 'a');
    await send(queueUrl, 'b');
    const [a, b] = await receive(queueUrl, 30);
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', ReceiptHandle: a?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'x', ReceiptHandle: 'nope', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful).toEqual([{ Id: 'a' }]);
    expect(changed.Failed).toEqual([
      expect.objectContaining({ Id: 'x', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);

    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'b', ReceiptHandle: b?.ReceiptHandle }] }),
    );
    expect(deleted.Successful).toEqual([{ Id: 'b' }]);
    expect(emulator.messages(queueUrl).map((message) => message.body)).toEqual(['a']);
  });
});

describe('a queue with a redrive policy', () => {
  it('moves a message to the dead-letter queue instead of receiving it a (maxReceiveCount + 1)-th time', async () => {
    const deadLetterQueueUrl = emulator.queueUrl('final-dlq');
    const queueUrl = emulator.createQueue('retries', { redrive: { deadLetterQueueUrl, maxReceiveCount: 3 } });
    await send(queueUrl, 'poison');
    for (let receiveNumber = 1; receiveNumber <= 3; receiveNumber += 1) {
      const [message] = await receive(queueUrl, 0);
      expect(message?.Attributes?.ApproximateReceiveCount).toBe(String(receiveNumber));
    }
    expect(await receive(queueUrl, 0)).toHaveLength(0);
    expect(emulator.messages(queueUrl)).toHaveLength(0);
    const [moved] = await receive(deadLetterQueueUrl, 0);
    expect(moved?.Body).toBe('poison');
  });
});
