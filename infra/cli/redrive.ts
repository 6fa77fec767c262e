import {
  cliArgs,
  EXIT,
  EXIT_MEANING,
  exitWithUsageError,
  integer,
  regionOption,
  string,
  url,
} from '../cli-kit/cli-args';
import { CliError, runMain, useRegion } from '../cli-kit/cli-errors';

const QUEUE_URL_EXAMPLE = 'https://sqs.<region>.amazonaws.com/<account>/<queue>';

/** `npm run redrive -- --stack OpenImFriendEvents` (or `--from <url> --to <url>`): see docs/runbook.md. */
const spec = {
  usage: 'npm run redrive -- (--stack <name> | --from <url> --to <url>) [--max <messages>] [--region <region>]',
  description:
    'Moves dead-lettered events back to the retry queue, whose drainer publishes them; a message is deleted only once its copy is in the retry queue.',
  options: {
    stack: string('the deployed stack: its final dead-letter queue to the retry queue', { placeholder: 'name' }),
    from: url('the dead-letter queue to empty, instead of --stack', { example: QUEUE_URL_EXAMPLE }),
    to: url('the retry queue to move the messages to, with --from', { example: QUEUE_URL_EXAMPLE }),
    max: integer('stop after this many messages', {
      placeholder: 'messages',
      min: 1,
      max: 10_000_000,
      default: 100_000,
    }),
    region: regionOption(),
  },
  exitCodes: {
    0: 'every dead-lettered event is back in the retry queue',
    1: 'some messages could not be moved, or were not ours (left in the dead-letter queue)',
    2: `${EXIT_MEANING.usage}, or queues that would move nothing or move the wrong way`,
    3: EXIT_MEANING.aws,
  },
};
const args = await cliArgs(spec);
if (!args.stack && !(args.from && args.to)) await exitWithUsageError(spec, '--stack, or --from and --to, is required');
useRegion(args.region);

await runMain(async () => {
  // Loaded here: --help and a usage error answer without the AWS SDK.
  const [{ SQSClient }, { RedriveRefusedError, redrive }, { requireOutput, stackOutputs }] = await Promise.all([
    import('@aws-sdk/client-sqs'),
    import('./redrive-events'),
    import('./stack-outputs'),
  ]);
  const outputs = args.stack ? await stackOutputs(String(args.stack)) : {};
  const queue = (given: unknown, output: string) =>
    typeof given === 'string' ? given : requireOutput(outputs, output, String(args.stack));
  const summary = await redrive(new SQSClient({}), {
    fromQueueUrl: queue(args.from, 'DeadLetterQueueUrl'),
    toQueueUrl: queue(args.to, 'RetryQueueUrl'),
    maxMessages: args.max,
    visibilityTimeoutSeconds: 120,
    onProgress: (progress) =>
      console.log(
        `redrive: ${progress.received} received, ${progress.moved} moved to the retry queue, ${progress.failed} failed, ${progress.skipped} skipped`,
      ),
  }).catch((error: unknown) => {
    throw error instanceof RedriveRefusedError ? new CliError(error.message, EXIT.usage) : error;
  });
  console.log(
    `done: ${summary.moved} event(s) back in the retry queue (the drainer publishes them); ${summary.failed} failed and ${summary.skipped} unrecognised message(s) left in the dead-letter queue.`,
  );
  return summary.failed + summary.skipped === 0 ? EXIT.ok : EXIT.partlyFailed;
});
