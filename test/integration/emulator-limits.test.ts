import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { InvalidMessageContents, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsEmulator } from '../../infra/local/aws-emulator';
import {
  PUT_EVENTS_MAX_ENTRIES,
  PUT_EVENTS_MAX_TOTAL_ENTRY_BYTES,
  putEventsEntryBytes,
  SQS_MAX_MESSAGE_BYTES,
} from '../../infra/local/aws-limits';

/** The loopback emulator refuses what AWS refuses, as AWS does: the real SDK raises the same error. */
const emulator = new AwsEmulator();
let eventBridge: EventBridgeClient;
let sqs: SQSClient;

beforeAll(async () => {
  await emulator.start();
  eventBridge = new EventBridgeClient({ endpoint: emulator.url, maxAttempts: 1 });
  sqs = new SQSClient({ endpoint: emulator.url, maxAttempts: 1 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.stop());

const TIME = new Date('2026-11-25T10:00:00.000Z');
/** An entry of exactly `bytes` as EventBridge counts it (Time 14 + Source + DetailType + Detail). */
const entryOf = (bytes: number): PutEventsRequestEntry => {
  const base = { Source: 'openim', DetailType: 'AfterAddFriend', Time: TIME };
  const overhead = putEventsEntryBytes({ ...base, Detail: '{"p":""}' });
  return { ...base, Detail: `{"p":"${'x'.repeat(bytes - overhead)}"}` };
};
const putEvents = (entries: PutEventsRequestEntry[]) => eventBridge.send(new PutEventsCommand({ Entries: entries }));

describe('PutEvents limits', () => {
  it('counts an entry as EventBridge does: 14 bytes for Time, then UTF-8 bytes', () => {
    expect(putEventsEntryBytes({ Source: 'ö', DetailType: 'T', Detail: '{}', Time: 1, Resources: ['r'] })).toBe(
      14 + 2 + 1 + 2 + 1,
    );
    expect(putEventsEntryBytes(entryOf(5_000) as Record<string, unknown>)).toBe(5_000);
  });

  it(`accepts ${PUT_EVENTS_MAX_ENTRIES} entries and refuses ${PUT_EVENTS_MAX_ENTRIES + 1} with a ValidationException`, async () => {
    const entries = Array.from({ length: PUT_EVENTS_MAX_ENTRIES + 1 }, () => entryOf(100));
    await expect(putEvents(entries.slice(0, PUT_EVENTS_MAX_ENTRIES))).resolves.toMatchObject({ FailedEntryCount: 0 });
    await expect(putEvents(entries)).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(emulator.events).toHaveLength(PUT_EVENTS_MAX_ENTRIES);
  });

  it('accepts one entry of exactly the size limit and refuses one byte more', async () => {
    await expect(putEvents([entryOf(PUT_EVENTS_MAX_TOTAL_ENTRY_BYTES)])).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
    await expect(putEvents([entryOf(PUT_EVENTS_MAX_TOTAL_ENTRY_BYTES + 1)])).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
    expect(emulator.events).toHaveLength(1);
  });

  it('limits the total of a request: entries that fit one by one are refused together when their sum is over', async () => {
    const half = PUT_EVENTS_MAX_TOTAL_ENTRY_BYTES / 2;
    await expect(putEvents([entryOf(half), entryOf(half)])).resolves.toMatchObject({ FailedEntryCount: 0 });
    await expect(putEvents([entryOf(half), entryOf(half + 1)])).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('SendMessage limits', () => {
  const send = (queueUrl: string, body: string) =>
    sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

  it(`accepts a message of exactly ${SQS_MAX_MESSAGE_BYTES} bytes and refuses one byte more (InvalidParameterValue)`, async () => {
    const queueUrl = emulator.queueUrl('limits');
    await expect(send(queueUrl, 'é'.repeat(SQS_MAX_MESSAGE_BYTES / 2))).resolves.toHaveProperty('MessageId');
    await expect(send(queueUrl, `${'x'.repeat(SQS_MAX_MESSAGE_BYTES)}y`)).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: `One or more parameters are invalid. Reason: Message must be shorter than ${SQS_MAX_MESSAGE_BYTES} bytes.`,
      $metadata: { httpStatusCode: 400 },
    });
    expect(emulator.messages(queueUrl)).toHaveLength(1);
  });

  it("applies a queue's lower MaximumMessageSize, message attributes included", async () => {
    const queueUrl = emulator.createQueue('small', { maximumMessageSize: 1_024 });
    await expect(send(queueUrl, 'x'.repeat(1_024))).resolves.toHaveProperty('MessageId');
    await expect(send(queueUrl, 'x'.repeat(1_025))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: 'x'.repeat(1_000),
          MessageAttributes: { reason: { DataType: 'String', StringValue: 'y'.repeat(20) } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it.each([
    ['U+FFFE', '\ufffe', 'FFFE'],
    ['U+FFFF', '\uffff', 'FFFF'],
    ['a lone high surrogate', '\ud800', 'D800'],
    ['a lone low surrogate', '\udfff', 'DFFF'],
    ['NUL', '\u0000', '0'],
    ['a C0 control', '\u001f', '1F'],
  ])('refuses a body holding %s with InvalidMessageContents, as SQS does', async (_label, char, hex) => {
    const queueUrl = emulator.queueUrl('characters');
    const refused = send(queueUrl, `{"reqMsg":"a${char}b"}`);
    await expect(refused).rejects.toBeInstanceOf(InvalidMessageContents);
    await expect(refused).rejects.toMatchObject({
      message: `Invalid binary character '#x${hex}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].`,
      $metadata: { httpStatusCode: 400 },
    });
    expect(emulator.messages(queueUrl)).toHaveLength(0);
  });

  it('accepts tab, line feed, carriage return, U+FFFD, a surrogate pair and JSON escapes of refused characters', async () => {
    const queueUrl = emulator.queueUrl('characters');
    const bodies = ['a\tb\nc\rd', '\ufffd\ud7ff\ue000', '\u{1F600}\u{10FFFF}', '{"reqMsg":"\\ufffe\\u0000\\ud800"}'];
    for (const body of bodies) await expect(send(queueUrl, body)).resolves.toHaveProperty('MessageId');
    expect(emulator.messages(queueUrl).map((message) => message.body)).toEqual(bodies);
  });
});
