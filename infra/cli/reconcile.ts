import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ReconcilerTable } from '../../functions/adapters/aws/reconciler-table';
import { describeFailure, describeSweep } from '../../functions/reconcile/plan';
import type { SweepSummary } from '../../functions/reconcile/ports';
import { cliArgs, EXIT, EXIT_MEANING, exitWithUsageError, integer } from '../cli-kit/cli-args';
import { runMain } from '../cli-kit/cli-errors';
import { requireTargetOutput, resolveTarget, TARGET_OPTIONS } from './target-stack';

/**
 * `npm run reconcile -- --local` (or `--stack <name>`): starts one sweep, follows it, prints its
 * summary. Exits 0 only when the sweep completed: its repair events are then on the bus.
 */
const spec = {
  usage: 'npm run reconcile -- (--local | --stack <name>) [--follow-minutes <n>] [--region <region>]',
  description:
    "Starts one reconciliation sweep (OpenIM's friend and black lists against the friend graph), follows it, and prints a one-line summary. Exits 0 only when the sweep completed, which means its repair events are on the bus.",
  options: {
    ...TARGET_OPTIONS,
    'follow-minutes': integer('stop following after this long (the sweep goes on; exit 1)', {
      placeholder: 'n',
      min: 1,
      max: 7 * 24 * 60,
      default: 24 * 60,
    }),
  },
  exitCodes: {
    0: 'the sweep completed, and its repairs are on the bus',
    1: 'the sweep failed, timed out or was aborted, or another sweep was running',
    2: EXIT_MEANING.usage,
    3: EXIT_MEANING.aws,
  },
};
const args = cliArgs(spec);
if (args.local === Boolean(args.stack)) exitWithUsageError(spec, 'give either --local or --stack <name>');

const PROGRESS_EVERY_MS = 10_000;

await runMain(async () => {
  const target = await resolveTarget(args);
  const noReconciler = 'deploy the stack with -c openImApiUrl=<OpenIM API URL> to turn reconciliation on';
  const stateMachineArn = requireTargetOutput(target, 'ReconcilerStateMachineArn', noReconciler);
  const records = new ReconcilerTable(
    new DynamoDBClient({}),
    requireTargetOutput(target, 'ReconcilerTableName', noReconciler),
  );
  const sfn = new SFNClient({});
  const name = `manual-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{}' }));
  console.log(`sweep ${name} started (${executionArn})`);

  const giveUpAt = Date.now() + args['follow-minutes'] * 60_000;
  let lastProgress = Date.now();
  let progressLine = '';
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') {
      const summary = await records.summary(name).catch(() => undefined);
      if (execution.status === 'SUCCEEDED') {
        const output = JSON.parse(execution.output ?? '{}') as Partial<SweepSummary> & {
          locked?: boolean;
          heldBy?: string;
        };
        if (output.locked === false) {
          console.error(
            `sweep ${name} did nothing: sweep ${output.heldBy} is running (two never run at once); try again when it ends`,
          );
          return EXIT.partlyFailed;
        }
        console.log(describeSweep(output as SweepSummary));
        return EXIT.ok;
      }
      if (summary) console.error(describeSweep({ ...summary, status: 'failed' }));
      const failure = describeFailure({ Error: execution.error, Cause: execution.cause });
      console.error(`sweep ${name} ${execution.status?.toLowerCase().replace('_', ' ')}: ${failure}`);
      return EXIT.partlyFailed;
    }
    if (Date.now() > giveUpAt) {
      console.error(
        `sweep ${name} is still running after ${args['follow-minutes']} minutes; stopped following it (it goes on)`,
      );
      return EXIT.partlyFailed;
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      const summary = await records.summary(name).catch(() => undefined);
      const line = summary ? describeSweep(summary) : '';
      if (line && line !== progressLine) console.log(line);
      progressLine = line;
    }
    await new Promise((resolve) => setTimeout(resolve, target.local ? 200 : 2_000));
  }
});
