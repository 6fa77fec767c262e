import { createHash } from 'node:crypto';
import type { UserMirror } from './ports';

/**
 * A mirror's place in the order of saves of one user: the later read (`observedAt`) is newer;
 * two reads begun in the same millisecond are ordered by a digest of what they hold, so every
 * store and every retry agrees, and two saves of the same content are one generation. Fixed-width
 * text, so it orders as a string too (DynamoDB conditions and sort keys compare it).
 */
export const mirrorGeneration = (mirror: UserMirror): string => {
  if (!Number.isSafeInteger(mirror.observedAt) || mirror.observedAt < 0) {
    throw new RangeError(`a mirror's observedAt must be epoch milliseconds, not ${mirror.observedAt}`);
  }
  const digest = createHash('sha256')
    .update(JSON.stringify([mirror.sweepID, mirror.version ?? null]))
    .update(JSON.stringify(mirror.friends.map((row) => [row.userID, row.remark, row.remarkAltered === true])))
    .digest('hex')
    .slice(0, 24);
  return `${String(mirror.observedAt).padStart(15, '0')}#${digest}`;
};
