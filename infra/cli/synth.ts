import { EXIT } from '../cli-kit/cli-args';
import { runMain } from '../cli-kit/cli-errors';
import { exitProcess } from '../cli-kit/exit-process';
import { runCdk } from './cdk-cli';

/**
 * `npm run synth -- [cdk synth options]`: `cdk synth --quiet` (offline, no credentials, cdk-nag
 * on), after checking every -c setting so that a bad one is one line naming it (exit 2).
 */
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: npm run synth -- [cdk synth options]

Synthesizes the stack offline with \`cdk synth --quiet\` (no credentials, cdk-nag AwsSolutions on;
any unacknowledged finding fails it), after checking every -c setting.

exit codes:
  0  synthesized
  2  a setting is invalid (one line naming it)
  any other: that of cdk synth`);
  await exitProcess(EXIT.ok);
}
await runMain(async () => {
  // Loaded here: --help answers without the CDK.
  const { checkSettings } = await import('./cdk-command');
  checkSettings(args);
  return runCdk(['synth', '--quiet', ...args]);
});
