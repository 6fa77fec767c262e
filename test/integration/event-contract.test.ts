import Ajv from 'ajv-draft-04';
import { allEventJsonSchemas } from '../../functions/contract/event-schema';
import { type FriendEvent, isFriendEvent } from '../../functions/contract/events';
import type { StoredEvent } from '../../infra/local/aws-emulator';
import { envelopeOf } from '../../infra/local/event-envelope';
import { sampleBodies } from '../../infra/openim-sender-simulator/openim-request';
import { type Harness, httpApiEvent, invoke, startHarness, TEST_SETTINGS, TOKEN } from '../helpers/harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(TEST_SETTINGS);
});
afterAll(() => harness.stop());
beforeEach(() => {
  harness.emulator.events.length = 0;
});

/** What EventBridge delivers to a subscriber for an event the handler put on the bus. */
const delivered = (stored: StoredEvent): FriendEvent => {
  const event = { ...envelopeOf(stored) };
  if (!isFriendEvent(event)) throw new Error(`not a friend event: ${JSON.stringify(event)}`);
  return event;
};

const emit = async (body: Record<string, unknown>) => {
  const handler = await harness.handlerWith();
  const { response } = await invoke(
    handler,
    httpApiEvent({ path: `/openim/${TOKEN}/${String(body.callbackCommand)}`, body: JSON.stringify(body) }),
  );
  expect(response.statusCode).toBe(200);
  return harness.emulator.events.map(delivered);
};

describe('events the handler really emits', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('date-time', (value: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value),
  );
  const validators = new Map(
    allEventJsonSchemas('openim').map(({ detailType, schema }) => [detailType, ajv.compile(schema)]),
  );

  it.each(Object.values(sampleBodies))('validate against the published schema: $callbackCommand', async (body) => {
    const [event] = await emit({ ...body });
    const validate = validators.get(event?.['detail-type'] ?? 'AfterAddFriend');
    expect(validate?.(event)).toBe(true);
    expect(validate?.errors ?? null).toBeNull();
  });

  it('validate when an import is split into parts', async () => {
    const friendUserIDs = Array.from({ length: 20_000 }, (_, index) => `${9_000_000_000 + index}`);
    const events = await emit({
      callbackCommand: 'callbackAfterImportFriendsCommand',
      ownerUserID: '1',
      friendUserIDs,
    });
    expect(events.length).toBeGreaterThan(1);
    for (const event of events) expect(validators.get('AfterImportFriends')?.(event)).toBe(true);
  });

  it('validate with alteredFields (a cut operationID and remark), and the field is optional', async () => {
    const handler = await harness.handlerWith();
    const body = { ...sampleBodies.callbackAfterSetFriendRemarkCommand, remark: 'r'.repeat(20_000) };
    await invoke(
      handler,
      httpApiEvent({
        path: `/openim/${TOKEN}/${body.callbackCommand}`,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', operationid: `op\u0001${'x'.repeat(300)}` },
      }),
    );
    const [event] = harness.emulator.events.map(delivered);
    expect(event?.detail.alteredFields).toEqual(['operationID', 'remark']);
    const validate = validators.get('AfterSetFriendRemark');
    expect(validate?.(event)).toBe(true);
    const { alteredFields: _absent, ...withoutIt } = event?.detail ?? {};
    expect(validate?.({ ...event, detail: withoutIt })).toBe(true);
    expect(validate?.({ ...event, detail: { ...withoutIt, alteredFields: ['toUserID'] } })).toBe(false);
  });

  it('are refused by the schema when a field breaks the contract (the schema is not a rubber stamp)', async () => {
    const [event] = await emit({ ...sampleBodies.callbackAfterAddFriendCommand });
    const broken = { ...event, detail: { ...event?.detail, toUserID: 6127384950 } };
    expect(validators.get('AfterAddFriend')?.(broken)).toBe(false);
  });
});
