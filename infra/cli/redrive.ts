import { SQSClient } from '@aws-sdk/client-sqs';
import { createEventPublisher } from '../../functions/aws/event-publisher';
import { cliArgs, EXIT, exitWithUsageError, integer, regionOption, string } from './cli-args';
import { runMain, useRegion } from './cli-errors';
import { redrive } from './redrive-events';
import { requireOutput, stackOutputs } from './stack-outputs';

/** `npm run redrive -- --stack OpenImFriendEvents` (or `--queue-url <url>`): see the README, Operations. */
const spec = {
  usage: 'npm run redrive -- (--stack <name> | --queue-url <url>) [--max <messages>] [--region <region>]',
  description:
    'Moves parked events from the dead-letter queue back to the bus; a message is deleted only once its event got in.',
  options: {
    stack: string('the deployed stack whose dead-letter queue to drain', { placeholder: 'name' }),
    'queue-url': string('the queue to drain, instead of --stack', { placeholder: 'url' }),
    max: integer('stop after this many messages', {
      placeholder: 'messages',
      min: 1,
      max: 10_000_000,
      default: 100_000,
    }),
    region: regionOption(),
  },
};
const args = cliArgs(spec);
if (!args.stack && !args['queue-url']) exitWithUsageError(spec, '--stack or --queue-url is required');
useRegion(args.region);

await runMain(async () => {
  const queueUrl =
    args['queue-url'] ??
    requireOutput(await stackOutputs(String(args.stack)), 'DeadLetterQueueUrl', String(args.stack));
  const summary = await redrive(
    new SQSClient({}),
    createEventPublisher({ attemptTimeoutMs: 5_000, baseDelayMs: 100, maxDelayMs: 2_000 }),
    {
      queueUrl,
      maxMessages: args.max,
      visibilityTimeoutSeconds: 120,
      publishTimeoutMs: 20_000,
      onProgress: (progress) =>
        console.log(
          `redrive: ${progress.received} received, ${progress.republished} re-published, ${progress.failed} failed, ${progress.skipped} skipped`,
        ),
    },
  );
  console.log(
    `done: ${summary.republished} event(s) back on the bus; ${summary.failed} failed and ${summary.skipped} unrecognised message(s) left in the queue.`,
  );
  return summary.failed + summary.skipped === 0 ? EXIT.ok : EXIT.partlyFailed;
});
