import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { pollOnce } from '../../infra/local/sqs-event-source';
import { httpApiEvent, invoke, TOKEN, useHarness } from '../helpers/harness';

/**
 * Any text OpenIM sends can be parked (real SQS refuses a body with U+FFFE, U+FFFF, a lone
 * surrogate or a C0 control; the emulator does too) and reaches the bus unchanged through the
 * drainer. Real handler, real SDK, loopback SQS and EventBridge.
 */
const ctx = useHarness();
const sqs = new SQSClient({});

const drainer = async (event: SQSEvent) => {
  const { handler } = await import('../../functions/retry-drainer/handler');
  return handler(event, { awsRequestId: 'drainer', functionName: 'retry-drainer' } as Context);
};

/** Characters a user can type that SQS does not take raw in a message body. */
const HOSTILE = [
  ['U+FFFE', '\ufffe'],
  ['U+FFFF', '\uffff'],
  ['a lone high surrogate', '\ud83d'],
  ['a lone low surrogate', '\ude00'],
  ['NUL', '\u0000'],
  ['a C0 control (BEL)', '\u0007'],
  ['DEL and a C1 control', '\u007f\u0085'],
] as const;

/** Each free-text field of the callbacks, in OpenIM's wire spelling, and where it lands in the detail. */
const FIELDS = [
  {
    field: 'reqMsg',
    detailField: 'reqMsg',
    body: (text: string) => ({
      callbackCommand: 'callbackAfterAddFriendCommand',
      fromUserID: '3958741620',
      toUserID: '6127384950',
      reqMsg: text,
    }),
  },
  {
    field: 'HandleMsg',
    detailField: 'handleMsg',
    body: (text: string) => ({
      callbackCommand: 'callbackAfterAddFriendAgreeCommand',
      fromUserID: '3958741620',
      blackUserID: '6127384950',
      HandleResult: 1,
      HandleMsg: text,
    }),
  },
  {
    field: 'remark',
    detailField: 'remark',
    body: (text: string) => ({
      callbackCommand: 'callbackAfterSetFriendRemarkCommand',
      ownerUserID: '3958741620',
      friendUserID: '6127384950',
      remark: text,
    }),
  },
] as const;

const cases = FIELDS.flatMap(({ field, detailField, body }) =>
  HOSTILE.map(([label, char]) => ({ field, detailField, label, text: `Hi ${char} there ${char}`, body })),
);

describe('parking any text OpenIM sends', () => {
  it.each(cases)('$field with $label is parked, drained and reaches the bus unchanged', async (item) => {
    const body = item.body(item.text);
    ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    const { response } = await invoke(
      ctx.handler,
      httpApiEvent({ path: `/openim/${TOKEN}/${body.callbackCommand}`, body: JSON.stringify(body) }),
    );
    expect(response.statusCode).toBe(200);
    expect(ctx.harness.emulator.messages(ctx.harness.queueUrl)).toHaveLength(1);

    ctx.harness.emulator.clearFaults();
    expect(await pollOnce(sqs, { queueUrl: ctx.harness.queueUrl, handler: drainer })).toBe(1);
    expect(ctx.harness.emulator.messages(ctx.harness.queueUrl)).toHaveLength(0);
    expect(ctx.harness.emulator.events).toHaveLength(1);
    expect(ctx.harness.emulator.events[0]?.detail[item.detailField]).toBe(item.text);
  });
});
