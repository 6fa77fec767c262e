import { createHash } from 'node:crypto';
import { goJsonMarshal } from './go-json';

/**
 * OpenIM's `idHash` of a friend ID list (`pkg/util/hashutil`): the first 8 bytes, big-endian, of
 * the MD5 of Go's `json.Marshal` of the list, in OpenIM's order (not sorted). An empty list is 0.
 * A uint64, so a BigInt.
 */
export const idHash = (ids: readonly string[]): bigint => {
  if (ids.length === 0) return 0n;
  return createHash('md5').update(goJsonMarshal(ids), 'utf8').digest().readBigUInt64BE(0);
};
