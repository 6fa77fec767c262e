import { entrySizeBytes, toPutEventsEntry } from '../../../functions/adapters/aws/event-bus';
import { MAX_MESSAGE_BYTES, MAX_USER_ID_BYTES } from '../../../functions/openim/callback-body';
import type { Difference } from '../../../functions/reconcile/differences';
import { repairFor } from '../../../functions/reconcile/repairs';

const READ_AT = new Date(Date.UTC(2026, 10, 26, 3));
const LATER = new Date(READ_AT.getTime() + 60_000);
const added: Difference = { kind: 'friendAdded', ownerUserID: 'a', otherUserID: 'b', remark: 'Bee' };

/** EventBridge's limit on one entry (PutEvents counts the detail, detail-type, source, time and resources). */
const MAX_ENTRY_BYTES = 256 * 1024;

describe('repairFor', () => {
  it('keys a repair by its read time too, so a later restatement of the same fact by the same sweep is not skipped as a copy', () => {
    const first = repairFor(added, READ_AT, 'sweep-1');
    expect(repairFor(added, READ_AT, 'sweep-1').detail.idempotencyKey).toBe(first.detail.idempotencyKey);
    expect(repairFor(added, LATER, 'sweep-1').detail.idempotencyKey).not.toBe(first.detail.idempotencyKey);
    expect(repairFor(added, LATER, 'sweep-2').detail.idempotencyKey).not.toBe(
      repairFor(added, LATER, 'sweep-1').detail.idempotencyKey,
    );
  });

  it('flags a remark the read cut (alteredFields), and leaves a whole one unflagged', () => {
    const cut = repairFor({ ...added, remarkAltered: true }, READ_AT, 's');
    expect(cut.detail).toMatchObject({ remark: 'Bee', alteredFields: ['remark'] });
    expect(repairFor(added, READ_AT, 's').detail).not.toHaveProperty('alteredFields');
  });

  it('cuts an oversized remark itself (16 KiB on a character boundary) and flags it, whoever built the difference', () => {
    const remark = '😀'.repeat(110_000); // 440,000 bytes of 4-byte characters
    const { detail } = repairFor({ ...added, kind: 'remarkChanged', remark }, READ_AT, 's');
    if (!('remark' in detail)) throw new Error('not a friendship repair');
    expect(Buffer.byteLength(detail.remark, 'utf8')).toBe(MAX_MESSAGE_BYTES);
    expect(remark.startsWith(detail.remark)).toBe(true);
    expect(detail.alteredFields).toEqual(['remark']);
  });

  it('fits every repair in one EventBridge entry, with the longest user IDs and a remark that escapes worst', () => {
    // Control characters are 1 byte in UTF-8 and 6 in JSON (\u0001): the largest detail per byte kept.
    const longID = (tag: string) => `${tag}${'\u0001'.repeat(MAX_USER_ID_BYTES - 1)}`;
    const ownerUserID = longID('o');
    const otherUserID = longID('f');
    const address = { eventBusName: 'bus', source: 's'.repeat(256) };
    const remarks = ['\u0001'.repeat(1_100_000), '"'.repeat(430_000), '😀'.repeat(300_000)];
    const drafts = [
      ...remarks.map((remark) => repairFor({ kind: 'friendAdded', ownerUserID, otherUserID, remark }, READ_AT, 's')),
      ...remarks.map((remark) => repairFor({ kind: 'remarkChanged', ownerUserID, otherUserID, remark }, READ_AT, 's')),
      repairFor({ kind: 'friendRemoved', ownerUserID, otherUserID }, READ_AT, 's'),
      repairFor({ kind: 'blacklistAdded', ownerUserID, otherUserID }, READ_AT, 's'),
    ];
    for (const draft of drafts) {
      expect(entrySizeBytes(toPutEventsEntry(draft, address))).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    }
  });
});
