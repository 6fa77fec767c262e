import { createHash } from 'node:crypto';
import {
  type AlteredField,
  type BlacklistReconciledDetail,
  EVENT_SCHEMA_VERSION,
  type FriendshipReconciledDetail,
} from '../contract/events';
import { MAX_MESSAGE_BYTES } from '../openim/callback-body';
import { truncateText } from '../openim/safe-text';
import type { Difference } from './differences';

/** A repair event before it is addressed to a bus. */
export type RepairDraft =
  | { detailType: 'FriendshipReconciled'; detail: FriendshipReconciledDetail }
  | { detailType: 'BlacklistReconciled'; detail: BlacklistReconciledDetail };

/**
 * The repair for one difference, stating what OpenIM's list held when it was read. `receivedAt`
 * is the read time too (see the contract). A remark is carried as callbacks carry it: cut here
 * again to 16 KiB (cutting is idempotent), so no caller can publish an oversized one, and flagged
 * in `alteredFields` when cut. The key hashes the sweep and the whole statement, read time
 * included: the same repair published again (a retried PutEvents, a chunk redone under the same
 * read) keeps its key, and the same fact stated by a later read, in this sweep or another, gets a
 * new one, which a subscriber that de-duplicates by key does not skip.
 */
export const repairFor = (difference: Difference, observedAt: Date, sweepID: string): RepairDraft => {
  const at = observedAt.toISOString();
  const base = { schemaVersion: EVENT_SCHEMA_VERSION as 1, operationID: '', receivedAt: at, observedAt: at };
  const { ownerUserID, otherUserID } = difference;
  const friendship = (present: boolean, remark: string, remarkAltered: boolean): RepairDraft => {
    const altered: AlteredField[] = remarkAltered ? ['remark'] : [];
    const statement = {
      ...base,
      ownerUserID,
      friendUserID: otherUserID,
      present,
      remark,
      ...(altered.length > 0 ? { alteredFields: altered } : {}),
    };
    const idempotencyKey = keyOf(sweepID, 'FriendshipReconciled', statement);
    return { detailType: 'FriendshipReconciled', detail: { ...statement, idempotencyKey } };
  };
  switch (difference.kind) {
    case 'friendAdded':
    case 'remarkChanged': {
      const remark = truncateText(difference.remark, MAX_MESSAGE_BYTES);
      return friendship(true, remark.value, remark.altered || difference.remarkAltered === true);
    }
    case 'friendRemoved':
      return friendship(false, '', false);
    case 'blacklistAdded':
    case 'blacklistRemoved': {
      const statement = {
        ...base,
        ownerUserID,
        blackUserID: otherUserID,
        present: difference.kind === 'blacklistAdded',
      };
      const idempotencyKey = keyOf(sweepID, 'BlacklistReconciled', statement);
      return { detailType: 'BlacklistReconciled', detail: { ...statement, idempotencyKey } };
    }
  }
};

const keyOf = (sweepID: string, detailType: string, statement: object): string =>
  createHash('sha256')
    .update(JSON.stringify([sweepID, detailType, statement]))
    .digest('hex');
