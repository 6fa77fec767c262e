import { describeSweep } from '../../functions/reconcile/plan';
import type { SweepSummary } from '../../functions/reconcile/ports';
import { cliArgs, EXIT, EXIT_MEANING, exitWithUsageError, integer } from '../cli-kit/cli-args';
import { runMain } from '../cli-kit/cli-errors';
import { resolveTarget, TARGET_OPTIONS } from './target-stack';

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
const args = await cliArgs(spec);
if (args.local === Boolean(args.stack)) await exitWithUsageError(spec, 'give either --local or --stack <name>');

await runMain(async () => {
  // Loaded here: --help and a usage error answer without the AWS SDK.
  const { runReconcilerExecution } = await import('./reconciler-execution');
  const name = `manual-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  return runReconcilerExecution<SweepSummary>(
    await resolveTarget(args),
    {
      name,
      input: {},
      followMinutes: args['follow-minutes'],
      startedLine: (arn) => `sweep ${name} started (${arn})`,
    },
    {
      kind: 'sweep',
      lockReason: 'two never run at once',
      progress: async (records, failed) => {
        const summary = await records.summary(name);
        return summary ? describeSweep(failed ? { ...summary, status: 'failed' } : summary) : undefined;
      },
      done: (summary) => ({ line: describeSweep(summary), code: EXIT.ok }),
    },
  );
});
