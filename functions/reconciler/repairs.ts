import { createHash } from 'node:crypto';
import {
  type BlacklistReconciledDetail,
  EVENT_SCHEMA_VERSION,
  type FriendshipReconciledDetail,
} from '../contract/events';
import type { Difference } from './differences';

/** A repair event before it is addressed to a bus. */
export type RepairDraft =
  | { detailType: 'FriendshipReconciled'; detail: FriendshipReconciledDetail }
  | { detailType: 'BlacklistReconciled'; detail: BlacklistReconciledDetail };

/**
 * The repair for one difference, stating what OpenIM's list held when it was read. `receivedAt`
 * is the read time too (see the contract). The key hashes the sweep and the whole statement, so a
 * part of a sweep that is retried publishes the same keys, and a later sweep new ones.
 */
export const repairFor = (difference: Difference, observedAt: Date, sweepID: string): RepairDraft => {
  const at = observedAt.toISOString();
  const base = { schemaVersion: EVENT_SCHEMA_VERSION as 1, operationID: '', receivedAt: at, observedAt: at };
  const { ownerUserID, otherUserID } = difference;
  const friendship = (present: boolean, remark: string): RepairDraft => {
    const fields = { ownerUserID, friendUserID: otherUserID, present, remark };
    const idempotencyKey = keyOf(sweepID, 'FriendshipReconciled', fields);
    return { detailType: 'FriendshipReconciled', detail: { ...base, idempotencyKey, ...fields } };
  };
  switch (difference.kind) {
    case 'friendAdded':
    case 'remarkChanged':
      return friendship(true, difference.remark);
    case 'friendRemoved':
      return friendship(false, '');
    case 'blacklistAdded':
    case 'blacklistRemoved': {
      const fields = { ownerUserID, blackUserID: otherUserID, present: difference.kind === 'blacklistAdded' };
      const idempotencyKey = keyOf(sweepID, 'BlacklistReconciled', fields);
      return { detailType: 'BlacklistReconciled', detail: { ...base, idempotencyKey, ...fields } };
    }
  }
};

const keyOf = (sweepID: string, detailType: string, fields: object): string =>
  createHash('sha256')
    .update(JSON.stringify([sweepID, detailType, fields]))
    .digest('hex');
