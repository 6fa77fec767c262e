import { createHash } from 'node:crypto';

/**
 * Hex SHA-256 over the command, OpenIM's operationID and the payload fields (never the
 * receive time), so a duplicate delivery or a re-publish carries the same key.
 */
export const idempotencyKey = (command: string, operationID: string, payload: readonly unknown[]): string =>
  createHash('sha256')
    .update(JSON.stringify([command, operationID, ...payload]))
    .digest('hex');
