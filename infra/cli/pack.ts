import { resolve } from 'node:path';
import { PACK_MARKER, PackTargetError } from '../build/pack-target';
import { cliArgs, EXIT, EXIT_MEANING, string } from '../cli-kit/cli-args';
import { CliError, runMain } from '../cli-kit/cli-errors';

/** `npm run pack`: the contract and CDK packages as tarballs, for `npm install <tarball>` or `npm publish`. */
const args = await cliArgs({
  usage: 'npm run pack -- [--out <dir>]',
  description:
    'Builds @openim-friend-events/contract (event types, guards, JSON Schemas, rule patterns) and @openim-friend-events/cdk (the FriendEvents construct, its functions bundled in advance) and packs each with npm pack.',
  options: {
    out: string(
      `where to write them: a new or empty directory, or one of its earlier runs (it holds ${PACK_MARKER}); its contract/ and cdk/ are replaced`,
      { placeholder: 'dir', default: '.packages' },
    ),
  },
  exitCodes: {
    0: 'both tarballs written',
    2: `${EXIT_MEANING.usage}, or --out holds files npm run pack did not write (nothing was deleted)`,
    3: 'a build or npm pack failed (the line says why)',
  },
});

await runMain(async () => {
  // Loaded here: --help and a usage error answer without esbuild and the TypeScript compiler.
  const { buildPackages } = await import('../build/build-packages');
  try {
    for (const { name, tarball } of buildPackages(resolve(args.out))) console.log(`${name}: ${tarball}`);
  } catch (error) {
    if (error instanceof PackTargetError) throw new CliError(`--out: ${error.message}`, EXIT.usage);
    throw error;
  }
  return EXIT.ok;
});
