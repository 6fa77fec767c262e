import { readFileSync } from 'node:fs';
import { allEventJsonSchemas, DETAIL_SPECS } from '../../../functions/contract/event-schema';
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
} from '../../../functions/contract/events';
import { ADDITIVE_CONTRACT_CHANGES, contractVersion } from '../../../infra/build/manifests';
import { schemaFileName } from '../../../infra/cli/schema-files';

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
});

describe('contract versioning', () => {
  // The pin of the current schema version. Within a version only additions are allowed: every
  // pinned field must keep its name, type and constraints. A breaking change needs a new
  // EVENT_SCHEMA_VERSION and a new pin file, on purpose.
  const pinFile = new URL(`../../fixtures/contract-v${EVENT_SCHEMA_VERSION}.json`, import.meta.url);
  const pin = JSON.parse(readFileSync(pinFile, 'utf8')) as Pin;

  it('has a pin for the current schema version', () => {
    expect(pin.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
    expect(Object.keys(pin.detailTypes).sort()).toEqual([...FRIEND_DETAIL_TYPES].sort());
  });

  it('versions the contract package <schemaVersion>.<additive changes>.0 (1.3.0: repairs, alteredFields, synthetic)', () => {
    expect(ADDITIVE_CONTRACT_CHANGES).toHaveLength(3);
    expect(contractVersion).toBe('1.3.0');
  });

  it.each(FRIEND_DETAIL_TYPES)(
    'keeps every pinned %s field with its type and constraints (additive changes only)',
    (detailType) => {
      const current = DETAIL_SPECS[detailType] as Record<string, Record<string, unknown>>;
      for (const [field, pinned] of Object.entries(pin.detailTypes[detailType] ?? {})) {
        const { description: _ignored, ...spec } = current[field] ?? {};
        expect({ field, spec }).toEqual({ field, spec: pinned });
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
