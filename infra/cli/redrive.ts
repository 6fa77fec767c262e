import { SQSClient } from '@aws-sdk/client-sqs';
import { createEventPublisher } from '../../functions/aws/event-bus';
import { cliArgs } from './cli-args';
import { redrive } from './redrive-events';
import { requireOutput, stackOutputs } from './stack-outputs';

/** `npm run redrive -- --stack OpenImFriendEvents` (or `--queue-url <url>`): see the README, Operations. */
const USAGE = 'npm run redrive -- (--stack <name> | --queue-url <url>) [--max <messages>]';
const args = cliArgs(
  { stack: { type: 'string' }, 'queue-url': { type: 'string' }, max: { type: 'string', default: '100000' } },
  USAGE,
);

const queueUrl =
  args['queue-url'] ??
  (args.stack ? requireOutput(await stackOutputs(args.stack), 'DeadLetterQueueUrl', args.stack) : undefined);
if (!queueUrl) {
  console.error(`usage: ${USAGE}`);
  process.exit(2);
}

const summary = await redrive(
  new SQSClient({}),
  createEventPublisher({ attemptTimeoutMs: 5_000, baseDelayMs: 100, maxDelayMs: 2_000 }),
  {
    queueUrl,
    maxMessages: Number(args.max),
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
process.exit(summary.failed + summary.skipped === 0 ? 0 : 1);
