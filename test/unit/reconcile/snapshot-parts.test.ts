import type { FriendRow } from '../../../functions/reconcile/openim-directory';
import { MAX_PART_DETAIL_BYTES, snapshotParts } from '../../../functions/reconcile/snapshot-parts';

const snapshot = { id: 'snapshot-mine-1', for: 'mine' };
const observedAt = new Date(Date.UTC(2026, 11, 6, 3));
const detailBytes = (detail: object) => Buffer.byteLength(JSON.stringify(detail), 'utf8');
/** EventBridge's entry size: detail, detail-type, source and 14 bytes for the time. */
const ENTRY_LIMIT = 256 * 1024;

describe('snapshot parts', () => {
  it('cuts a 10,000-friend list with long remarks into parts of at most 200 KiB, numbered 1..n, covering every ID once', () => {
    // Remarks of 1 to 200 characters, some multi-byte and some needing JSON escapes; one longer than 16 KiB.
    const friends: FriendRow[] = Array.from({ length: 10_000 }, (_, index) => ({
      userID: `user-${String((index * 7919) % 10_000).padStart(5, '0')}`,
      remark: `${'é"\n'.repeat(index % 67)}${index}`,
    }));
    friends[42] = { userID: friends[42]?.userID ?? '', remark: 'x'.repeat(20_000) };
    const blackUserIDs = ['user-00007', 'zed', 'aaa', 'user-09999'];
    const parts = snapshotParts(snapshot, { ownerUserID: 'owner', friends, blackUserIDs, observedAt });

    expect(parts.length).toBeGreaterThan(3);
    parts.forEach(({ detail }, index) => {
      expect(detail.part).toBe(index + 1);
      expect(detail.parts).toBe(parts.length);
      expect(detailBytes(detail)).toBeLessThanOrEqual(MAX_PART_DETAIL_BYTES);
      expect(detailBytes(detail) + 'FriendListSnapshot'.length + 'openim'.length + 14).toBeLessThanOrEqual(ENTRY_LIMIT);
      expect(detail.snapshot).toEqual(snapshot);
      expect(detail.receivedAt).toBe(observedAt.toISOString());
      expect(detail.observedAt).toBe(observedAt.toISOString());
      const ids = detail.friends.map((friend) => friend.friendUserID);
      expect(ids).toEqual([...ids].sort());
      expect(detail.blackUserIDs).toEqual([...detail.blackUserIDs].sort());
      // Every row of a part lies in the range it covers.
      for (const id of [...ids, ...detail.blackUserIDs]) {
        expect(id >= detail.covers.from).toBe(true);
        if (detail.covers.to !== undefined) expect(id < detail.covers.to).toBe(true);
      }
    });
    // Contiguous: the first from "", each from the previous to, the last open-ended.
    expect(parts[0]?.detail.covers.from).toBe('');
    expect(parts.at(-1)?.detail.covers.to).toBeUndefined();
    for (let index = 1; index < parts.length; index++)
      expect(parts[index]?.detail.covers.from).toBe(parts[index - 1]?.detail.covers.to);
    // The union is OpenIM's list, each row once, with the long remark cut and flagged.
    const sent = parts.flatMap(({ detail }) => detail.friends);
    expect(sent.map((friend) => friend.friendUserID).sort()).toEqual(friends.map((row) => row.userID).sort());
    const long = sent.find((friend) => friend.friendUserID === friends[42]?.userID);
    expect(long?.remark).toHaveLength(16 * 1024);
    expect(long?.alteredFields).toEqual(['remark']);
    expect(sent.filter((friend) => friend.alteredFields)).toHaveLength(1);
    const other = sent.find((friend) => friend.friendUserID === friends[7]?.userID);
    expect(other?.remark).toBe(friends[7]?.remark);
    expect(parts.flatMap(({ detail }) => detail.blackUserIDs)).toEqual([...blackUserIDs].sort());
    // One key per part.
    expect(new Set(parts.map(({ detail }) => detail.idempotencyKey)).size).toBe(parts.length);
  });

  it('sends an empty list as one part that covers every ID', () => {
    const parts = snapshotParts(snapshot, { ownerUserID: 'owner', friends: [], blackUserIDs: [], observedAt });
    expect(parts).toHaveLength(1);
    expect(parts[0]?.detail).toMatchObject({ covers: { from: '' }, friends: [], blackUserIDs: [], part: 1, parts: 1 });
  });

  it('keeps a user who is both a friend and blocked in one part', () => {
    const friends = Array.from({ length: 3_000 }, (_, index) => ({
      userID: `u${String(index).padStart(4, '0')}`,
      remark: 'r'.repeat(300),
    }));
    const blackUserIDs = friends.filter((_, index) => index % 3 === 0).map((row) => row.userID);
    const parts = snapshotParts(snapshot, { ownerUserID: 'owner', friends, blackUserIDs, observedAt });
    expect(parts.length).toBeGreaterThan(1);
    for (const { detail } of parts) {
      const ids = new Set(detail.friends.map((friend) => friend.friendUserID));
      for (const black of detail.blackUserIDs) expect(ids.has(black)).toBe(true);
    }
  });

  it('gives a part the same key for the same read, and a new one for a later read or another snapshot', () => {
    const lists = { ownerUserID: 'owner', friends: [{ userID: 'b', remark: '' }], blackUserIDs: [], observedAt };
    const key = (s = snapshot, l = lists) => snapshotParts(s, l)[0]?.detail.idempotencyKey;
    expect(key()).toBe(key());
    expect(key({ ...snapshot, id: 'another' })).not.toBe(key());
    expect(key(snapshot, { ...lists, observedAt: new Date(observedAt.getTime() + 1) })).not.toBe(key());
  });
});
