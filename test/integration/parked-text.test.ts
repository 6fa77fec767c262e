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
  const { handler } = await import('../../functions/handlers/retry-drainer');
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

/** Free text goes through unchanged; so do user IDs (OpenIM takes any ID without ':'). */
const ID_FIELDS = [
  {
    field: 'fromUserID',
    detailField: 'fromUserID',
    body: (text: string) => ({
      callbackCommand: 'callbackAfterAddFriendCommand',
      fromUserID: text,
      toUserID: '6127384950',
      reqMsg: '',
    }),
  },
] as const;

const cases = [...FIELDS, ...ID_FIELDS].flatMap(({ field, detailField, body }) =>
  HOSTILE.filter(([label]) => field !== 'fromUserID' || !label.includes('surrogate')).map(([label, char]) => ({
    field,
    detailField,
    label,
    text: `Hi ${char} there ${char}`,
    body: body as (text: string) => Record<string, unknown> & { callbackCommand: string },
  })),
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

describe("parking OpenIM's operationID whatever it holds", () => {
  it.each<readonly [string, string]>([...HOSTILE, ['300 bytes', 'x'.repeat(300)]])(
    'an operationID with %s is accepted, parked and drained; the bus has the same safe form as an event published at once',
    async (_label, char) => {
      const header = `op ${char} id`;
      const send = () =>
        invoke(
          ctx.handler,
          httpApiEvent({
            body: JSON.stringify({ callbackCommand: 'callbackAfterAddFriendCommand', fromUserID: '1', toUserID: '2' }),
            headers: { 'content-type': 'application/json', operationid: header },
          }),
        );
      expect((await send()).response.statusCode).toBe(200); // published at once
      const atOnce = ctx.harness.emulator.events.splice(0)[0]?.detail;
      expect(atOnce).toMatchObject({ alteredFields: ['operationID'] });
      expect(Buffer.byteLength(String(atOnce?.operationID))).toBeLessThanOrEqual(256);

      ctx.harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
      expect((await send()).response.statusCode).toBe(200);
      ctx.harness.emulator.clearFaults();
      expect(await pollOnce(sqs, { queueUrl: ctx.harness.queueUrl, handler: drainer })).toBe(1);
      const drained = ctx.harness.emulator.events[0]?.detail;
      expect(drained?.operationID).toBe(atOnce?.operationID);
      expect(drained?.alteredFields).toEqual(['operationID']);
    },
  );
});
