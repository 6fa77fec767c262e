import { createHash } from 'node:crypto';
import {
  type AlteredField,
  EVENT_SCHEMA_VERSION,
  type FriendDetailByType,
  type FriendDetailType,
} from '../contract/events';
import type { FriendCallback } from './callback-body';
import { MAX_DETAIL_BYTES } from './callback-body';
import { DETAIL_TYPE_BY_COMMAND } from './commands';

export interface CallbackMeta {
  operationID: string;
  /** Whether `operationID` is a safe form of the header (escaped or cut) rather than the header itself. */
  operationIDAltered?: boolean;
  /** When API Gateway received the request. */
  receivedAt: Date;
  /** The one HTTP request OpenIM made: API Gateway's request id (the Lambda request id when absent). */
  deliveryId: string;
  /** Test traffic, not OpenIM's: the events say so (`synthetic: true`). */
  synthetic?: boolean;
}

/** A normalized event before it is addressed to a bus. */
export type FriendEventDraft = {
  [T in FriendDetailType]: { detailType: T; detail: FriendDetailByType[T] };
}[FriendDetailType];

/**
 * Maps a validated callback to its event: one, or for an import too large for one
 * EventBridge entry, several parts that share the idempotency key as a prefix.
 */
export const toFriendEvents = (callback: FriendCallback, meta: CallbackMeta): FriendEventDraft[] => {
  const key = idempotencyKey(callback.command, meta.deliveryId, meta.receivedAt);
  const altered: AlteredField[] = [
    ...(meta.operationIDAltered ? ['operationID' as const] : []),
    ...(callback.altered ?? []),
  ];
  const base = {
    schemaVersion: EVENT_SCHEMA_VERSION as typeof EVENT_SCHEMA_VERSION,
    operationID: meta.operationID,
    receivedAt: meta.receivedAt.toISOString(),
    ...(altered.length > 0 ? { alteredFields: altered } : {}),
    ...(meta.synthetic ? { synthetic: true as const } : {}),
  };
  switch (callback.command) {
    case 'callbackAfterAddFriendCommand': {
      const { command, fromUserID, toUserID, reqMsg } = callback;
      return [
        {
          detailType: DETAIL_TYPE_BY_COMMAND[command],
          detail: { ...base, callbackCommand: command, idempotencyKey: key, fromUserID, toUserID, reqMsg },
        },
      ];
    }
    case 'callbackAfterAddFriendAgreeCommand': {
      const { command, fromUserID, toUserID, handleResult, handleMsg } = callback;
      return [
        {
          detailType: DETAIL_TYPE_BY_COMMAND[command],
          detail: {
            ...base,
            callbackCommand: command,
            idempotencyKey: key,
            fromUserID,
            toUserID,
            handleResult,
            handleMsg,
          },
        },
      ];
    }
    case 'callbackAfterImportFriendsCommand': {
      const { command, ownerUserID, friendUserIDs } = callback;
      const chunks = splitToFit(friendUserIDs, MAX_DETAIL_BYTES);
      return chunks.map((chunk, index) => ({
        detailType: DETAIL_TYPE_BY_COMMAND[command],
        detail: {
          ...base,
          callbackCommand: command,
          idempotencyKey: chunks.length === 1 ? key : `${key}:${index + 1}`,
          ownerUserID,
          friendUserIDs: chunk,
          part: index + 1,
          parts: chunks.length,
        },
      }));
    }
    case 'callbackAfterDeleteFriendCommand': {
      const { command, ownerUserID, friendUserID } = callback;
      return [
        {
          detailType: DETAIL_TYPE_BY_COMMAND[command],
          detail: { ...base, callbackCommand: command, idempotencyKey: key, ownerUserID, friendUserID },
        },
      ];
    }
    case 'callbackAfterSetFriendRemarkCommand':
    case 'callbackAfterSetFriendRemark': {
      const { command, ownerUserID, friendUserID, remark } = callback;
      return [
        {
          detailType: DETAIL_TYPE_BY_COMMAND[command],
          detail: { ...base, callbackCommand: command, idempotencyKey: key, ownerUserID, friendUserID, remark },
        },
      ];
    }
    case 'callbackAfterRemoveBlackCommand': {
      const { command, ownerUserID, blackUserID } = callback;
      return [
        {
          detailType: DETAIL_TYPE_BY_COMMAND[command],
          detail: { ...base, callbackCommand: command, idempotencyKey: key, ownerUserID, blackUserID },
        },
      ];
    }
  }
};

/** Room kept for the rest of an import detail (fixed fields; user IDs are bounded). */
const IMPORT_DETAIL_OVERHEAD_BYTES = 4 * 1024;

/** Greedy split of IDs into chunks whose JSON stays under `maxBytes` with the other fields. */
const splitToFit = (ids: string[], maxBytes: number): string[][] => {
  const budget = maxBytes - IMPORT_DETAIL_OVERHEAD_BYTES;
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let chunkBytes = 0;
  for (const id of ids) {
    const idBytes = Buffer.byteLength(JSON.stringify(id), 'utf8') + 1; // + separating comma
    if (chunk.length > 0 && chunkBytes + idBytes > budget) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(id);
    chunkBytes += idBytes;
  }
  chunks.push(chunk);
  return chunks;
};

/**
 * Hex SHA-256 of the command and the delivery (API Gateway's request id and receipt time). OpenIM
 * posts each action once and never retries, so one HTTP request is one action: two identical
 * actions (an import repeated by an admin tool with a fixed operationID) are two deliveries with
 * two keys. The detail is built once, so the attempt, the parked copy, the drainer, a redrive and
 * an archive replay all carry the same key. The content is not hashed: it does not identify an action.
 */
export const idempotencyKey = (command: string, deliveryId: string, receivedAt: Date): string =>
  createHash('sha256')
    .update(JSON.stringify([command, deliveryId, receivedAt.getTime()]))
    .digest('hex');
