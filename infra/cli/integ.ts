import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArgs, EXIT, EXIT_MEANING, exitWithUsageError, flag, regionOption } from '../cli-kit/cli-args';
import { CliError, runMain, useRegion } from '../cli-kit/cli-errors';
import { runCdk } from './cdk-cli';
import {
  failedAssertions,
  INTEG_APP_COMMAND,
  SNAPSHOT_DIR,
  snapshotDifferences,
  synthIntegTest,
  writeSnapshot,
} from './integ-snapshot';

/**
 * `npm run integ`: the integration test of test/integ/ (the stack on a real account, OpenIM's
 * exact bytes to the callback URL, the event asserted through a rule). Without options it only
 * compares the synthesized test with its committed snapshot (offline, no credentials).
 */
const spec = {
  usage: 'npm run integ -- [--update-snapshot | --deploy [--keep] [--region <region>]]',
  description:
    'Checks the integration test against its snapshot (offline), writes the snapshot, or runs the test on a real AWS account.',
  options: {
    'update-snapshot': flag('write the synthesized test as the new snapshot (after a change you meant)'),
    deploy: flag(
      'deploy the test stacks with your credentials, run the assertions, then destroy everything (about 15 minutes)',
    ),
    keep: flag('with --deploy: leave the stacks deployed, to look at them (then: npx cdk destroy --all --app ...)'),
    region: regionOption(),
  },
  notes:
    'Once per account and region before --deploy: npx cdk bootstrap. --deploy deploys three stacks named OpenImFriendEventsInteg*\nand FriendEventsIntegDefaultTestDeployAssert*, and deletes them afterwards even when an assertion fails.',
  exitCodes: {
    0: 'the snapshot matches (or was written), or every assertion held on the account',
    1: 'the snapshot differs, or an assertion failed',
    2: EXIT_MEANING.usage,
    3: 'AWS or configuration error, or the deployment itself failed',
  },
};
const args = await cliArgs(spec);
if (args['update-snapshot'] && args.deploy)
  await exitWithUsageError(spec, 'pass --update-snapshot or --deploy, not both');
if (args.keep && !args.deploy) await exitWithUsageError(spec, '--keep goes with --deploy');
useRegion(args.region);

/** The project's CDK CLI on the integration test app; throws with cdk's exit code when it fails. */
const cdk = (cdkArgs: string[]): void => {
  const status = runCdk([...cdkArgs, '--app', INTEG_APP_COMMAND]);
  if (status !== 0) throw new CliError(`cdk ${cdkArgs[0]} failed (exit code ${status})`);
};

const deployAndAssert = (work: string): number => {
  const outputsFile = join(work, 'outputs.json');
  try {
    cdk(['deploy', '--all', '--require-approval', 'never', '--outputs-file', outputsFile]);
    const failed = failedAssertions(JSON.parse(readFileSync(outputsFile, 'utf8')));
    for (const failure of failed) console.log(`FAIL: ${failure}`);
    if (failed.length === 0) console.log('PASS: every assertion of the integration test held');
    return failed.length === 0 ? EXIT.ok : EXIT.partlyFailed;
  } finally {
    if (!args.keep) cdk(['destroy', '--all', '--force']);
  }
};

await runMain(async () => {
  const work = mkdtempSync(join(tmpdir(), 'openim-friend-events-integ-'));
  try {
    if (args.deploy) return deployAndAssert(work);
    synthIntegTest(join(work, 'cdk.out'));
    if (args['update-snapshot']) {
      writeSnapshot(join(work, 'cdk.out'));
      console.log(`snapshot written: ${SNAPSHOT_DIR}`);
      return EXIT.ok;
    }
    const differences = snapshotDifferences(join(work, 'cdk.out'));
    for (const file of differences) console.log(`CHANGED: ${file}`);
    if (differences.length > 0) {
      console.log(
        'The integration test no longer matches its snapshot: if you meant it, npm run integ -- --update-snapshot',
      );
      return EXIT.partlyFailed;
    }
    console.log('PASS: the integration test matches its snapshot');
    return EXIT.ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
