import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import {
  allEventJsonSchemas,
  DETAIL_SPECS,
  SNAPSHOT_DETAIL_SPECS,
  snapshotEventJsonSchemas,
} from '../../../functions/contract/event-schema';
import {
  EVENT_SCHEMA_VERSION,
  FRIEND_DETAIL_TYPES,
  isAfterAddFriendAgreeEvent,
  isAfterAddFriendEvent,
  isAfterDeleteFriendEvent,
  isAfterImportFriendsEvent,
  isAfterRemoveBlackEvent,
  isAfterSetFriendRemarkEvent,
  isBlacklistReconciledEvent,
  isFriendEvent,
  isFriendshipReconciledEvent,
  SNAPSHOT_DETAIL_TYPES,
} from '../../../functions/contract/events';
import { ADDITIVE_CONTRACT_CHANGES, contractVersion } from '../../../infra/build/manifests';
import { SCHEMAS_DIR, schemaFileName } from '../../../infra/cli/schema-files';
import { snapshotEvents } from '../../helpers/snapshot-parts';

type Pin = { schemaVersion: number; detailTypes: Record<string, Record<string, Record<string, unknown>>> };

describe('the published JSON Schemas', () => {
  it.each(FRIEND_DETAIL_TYPES)(
    'functions/contract/schemas/%s.schema.json is the generated one (run npm run schemas)',
    (detailType) => {
      const committed = JSON.parse(readFileSync(schemaFileName(detailType), 'utf8'));
      const generated = allEventJsonSchemas('openim').find((entry) => entry.detailType === detailType)?.schema;
      expect(committed).toEqual(generated);
    },
  );

  it.each(SNAPSHOT_DETAIL_TYPES)('functions/contract/schemas/%s.schema.json is the generated one', (detailType) => {
    const committed = JSON.parse(readFileSync(`${SCHEMAS_DIR}${detailType}.schema.json`, 'utf8'));
    const generated = snapshotEventJsonSchemas('openim').find((entry) => entry.detailType === detailType)?.schema;
    expect(committed).toEqual(generated);
  });

  it('validate snapshot events built as the contract defines them, and refuse one without its address', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
    const [listSchema, completedSchema] = snapshotEventJsonSchemas('openim').map(({ schema }) => ajv.compile(schema));
    const { parts, completed } = snapshotEvents(
      new Map([
        ['u1', { friends: [{ userID: 'u2', remark: 'two' }], blacks: ['u3'] }],
        ['u2', { friends: [], blacks: [] }],
      ]),
      {
        address: { id: 'run-1', for: 'friend-graph' },
        observedAt: '2026-12-06T10:00:00.000Z',
        completedAt: '2026-12-06T10:00:01.000Z',
        rowsPerPart: 1,
      },
    );
    expect(parts.map((part) => [part.detail.ownerUserID, part.detail.part, part.detail.parts])).toEqual([
      ['u1', 1, 2],
      ['u1', 2, 2],
      ['u2', 1, 1],
    ]);
    for (const part of parts) expect([listSchema?.(part), listSchema?.errors ?? null]).toEqual([true, null]);
    expect(completedSchema?.(completed)).toBe(true);
    const { snapshot: _address, ...unaddressed } = completed.detail;
    expect(completedSchema?.({ ...completed, detail: unaddressed })).toBe(false);
    const [first] = parts;
    expect(listSchema?.({ ...first, detail: { ...first?.detail, friends: [{ friendUserID: 'u2' }] } })).toBe(false);
  });
});

/** A field's spec as the pin keeps it: its type and constraints, without descriptions at any depth. */
const withoutDescriptions = (spec: unknown): unknown => {
  if (Array.isArray(spec)) return spec.map(withoutDescriptions);
  if (typeof spec !== 'object' || spec === null) return spec;
  return Object.fromEntries(
    Object.entries(spec)
      .filter(([key]) => key !== 'description')
      .map(([key, value]) => [key, key === 'properties' ? withoutDescriptionsEach(value) : withoutDescriptions(value)]),
  );
};
const withoutDescriptionsEach = (properties: unknown): unknown =>
  Object.fromEntries(Object.entries(properties as object).map(([key, value]) => [key, withoutDescriptions(value)]));

describe('contract versioning', () => {
  // The pin of the current schema version. Within a version only additions are allowed: every
  // pinned field must keep its name, type and constraints. A breaking change needs a new
  // EVENT_SCHEMA_VERSION and a new pin file, on purpose.
  const pinFile = new URL(`../../fixtures/contract-v${EVENT_SCHEMA_VERSION}.json`, import.meta.url);
  const pin = JSON.parse(readFileSync(pinFile, 'utf8')) as Pin;

  it('has a pin for the current schema version', () => {
    expect(pin.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
    expect(Object.keys(pin.detailTypes).sort()).toEqual([...FRIEND_DETAIL_TYPES, ...SNAPSHOT_DETAIL_TYPES].sort());
  });

  it('versions the contract package <schemaVersion>.<additive changes>.0 (1.4.0: repairs, alteredFields, synthetic, snapshots)', () => {
    expect(ADDITIVE_CONTRACT_CHANGES).toHaveLength(4);
    expect(contractVersion).toBe('1.4.0');
  });

  it.each([...FRIEND_DETAIL_TYPES, ...SNAPSHOT_DETAIL_TYPES])(
    'keeps every pinned %s field with its type and constraints (additive changes only)',
    (detailType) => {
      const current = { ...DETAIL_SPECS, ...SNAPSHOT_DETAIL_SPECS }[detailType] as Record<string, unknown>;
      const pinned = Object.entries(pin.detailTypes[detailType] ?? {});
      expect(pinned.length).toBeGreaterThan(0);
      for (const [field, spec] of pinned) {
        expect({ field, spec: withoutDescriptions(current[field] ?? {}) }).toEqual({ field, spec });
      }
    },
  );
});

describe('type guards', () => {
  const envelope = (detailType: string, detail: Record<string, unknown> = { schemaVersion: 1 }) => ({
    version: '0',
    id: 'id',
    'detail-type': detailType,
    source: 'openim',
    account: '1',
    time: '2026-01-01T00:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  });

  it('narrow by detail-type', () => {
    expect(isAfterAddFriendEvent(envelope('AfterAddFriend'))).toBe(true);
    expect(isAfterAddFriendEvent(envelope('AfterAddFriendAgree'))).toBe(false);
    expect(isAfterAddFriendAgreeEvent(envelope('AfterAddFriendAgree'))).toBe(true);
    expect(isAfterImportFriendsEvent(envelope('AfterImportFriends'))).toBe(true);
    expect(isAfterDeleteFriendEvent(envelope('AfterDeleteFriend'))).toBe(true);
    expect(isAfterDeleteFriendEvent(envelope('AfterRemoveBlack'))).toBe(false);
    expect(isAfterSetFriendRemarkEvent(envelope('AfterSetFriendRemark'))).toBe(true);
    expect(isAfterSetFriendRemarkEvent(envelope('AfterDeleteFriend'))).toBe(false);
    expect(isAfterRemoveBlackEvent(envelope('AfterRemoveBlack'))).toBe(true);
    expect(isAfterRemoveBlackEvent(envelope('AfterSetFriendRemark'))).toBe(false);
    expect(isFriendshipReconciledEvent(envelope('FriendshipReconciled'))).toBe(true);
    expect(isFriendshipReconciledEvent(envelope('BlacklistReconciled'))).toBe(false);
    expect(isBlacklistReconciledEvent(envelope('BlacklistReconciled'))).toBe(true);
    expect(isBlacklistReconciledEvent(envelope('AfterRemoveBlack'))).toBe(false);
  });

  it.each(['FriendshipReconciled', 'BlacklistReconciled'])('accept the repair %s as a friend event', (detailType) => {
    expect(isFriendEvent(envelope(detailType))).toBe(true);
  });

  it.each([
    ['another detail-type', envelope('SomethingElse')],
    ['another schema version', envelope('AfterAddFriend', { schemaVersion: 2 })],
    ['no detail', { 'detail-type': 'AfterAddFriend' }],
    ['null', null],
    ['a string', 'AfterAddFriend'],
  ])('reject %s', (_label, value) => {
    expect(isFriendEvent(value)).toBe(false);
  });
});
