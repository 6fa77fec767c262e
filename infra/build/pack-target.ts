import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The directory `npm run pack -- --out DIR` writes into. The packer replaces `DIR/contract` and
 * `DIR/cdk` whole, so it only ever touches a directory that is new, empty, or holds nothing but
 * its own earlier output, which this marker file names as such.
 */
export const PACK_MARKER = '.openim-friend-events-pack';
const OWN_ENTRIES = new Set([PACK_MARKER, 'contract', 'cdk']);

/** Thrown before anything is written or deleted: the target holds what the packer did not write. */
export class PackTargetError extends Error {
  override name = 'PackTargetError';
}

/** Refuses a target the packer may not replace; otherwise marks it as the packer's own. */
export const claimPackTarget = (outDir: string): void => {
  if (existsSync(outDir)) {
    if (!statSync(outDir).isDirectory()) throw new PackTargetError(`${outDir} is a file, not a directory`);
    const entries = readdirSync(outDir);
    const foreign = entries.filter((entry) => !OWN_ENTRIES.has(entry));
    if (foreign.length > 0)
      throw new PackTargetError(
        `${outDir} holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}, which npm run pack did not write; choose an empty or new directory`,
      );
    if (entries.length > 0 && !entries.includes(PACK_MARKER))
      throw new PackTargetError(
        `${outDir} has ${entries.join(' and ')} but no ${PACK_MARKER}: it is not the output of npm run pack, which would replace it; choose an empty or new directory`,
      );
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, PACK_MARKER),
    'Written by npm run pack: it replaces contract/ and cdk/ here at every run. Put nothing else in this directory.\n',
  );
};
