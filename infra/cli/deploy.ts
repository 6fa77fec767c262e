import { fileURLToPath } from 'node:url';
import { EXIT } from '../cli-kit/cli-args';
import { runMain } from '../cli-kit/cli-errors';
import { exitProcess } from '../cli-kit/exit-process';
import { cdkJsonContext, contextInArgs, runCdk } from './cdk-cli';

/**
 * `npm run deploy -- <cdk deploy arguments>`: `cdk deploy` with every argument passed through,
 * after checking the settings (one line, exit 2) and the AWS region and credentials (one line,
 * exit 3) in seconds, and warning when no alarm recipient is configured.
 */

const ALARM_RECIPIENT_KEYS = ['alarmEmail', 'alarmTopic'];

/** The warning to print before deploying, or undefined (pure). */
export const alarmsWarning = (args: string[], cdkJson: Record<string, unknown>): string | undefined => {
  const given = { ...cdkJson, ...contextInArgs(args) };
  return ALARM_RECIPIENT_KEYS.some((key) => given[key] !== undefined && given[key] !== null && given[key] !== '')
    ? undefined
    : 'warning: neither alarmEmail nor alarmTopic is set, so alarms will notify no one (npm run deploy -- -c alarmEmail=ops@example.com)';
};

const HELP = `usage: npm run deploy -- [cdk deploy options]

Runs \`cdk deploy\` with every argument passed through (see \`npx cdk deploy --help\`). First, in
seconds: every -c setting is checked (a bad one is one line naming it, exit 2), then the AWS
region and credentials (--profile, AWS_PROFILE, AWS_REGION, ...; missing ones are one line,
exit 3); and a warning goes to stderr when no alarm recipient is set (-c alarmEmail=... or
-c alarmTopic=..., or in cdk.json).

exit codes:
  2  a setting is invalid (nothing was synthesized)
  3  no AWS region or credentials (nothing was synthesized)
  any other: that of cdk deploy (0 success)`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    await exitProcess(EXIT.ok);
  }
  await runMain(async () => {
    // Loaded here: --help answers without the CDK and the AWS SDK.
    const { checkAwsAccess, checkSettings } = await import('./cdk-command');
    checkSettings(args);
    const account = await checkAwsAccess(args);
    const warning = alarmsWarning(args, cdkJsonContext());
    if (warning) console.error(warning);
    console.error(`deploying to account ${account} (region ${process.env.AWS_REGION ?? 'from your AWS config'})`);
    return runCdk(['deploy', ...args]);
  });
}
