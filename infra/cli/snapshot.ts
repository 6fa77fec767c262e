import type { SnapshotAddress } from '../../functions/contract/events';
import { describeSnapshot } from '../../functions/reconcile/plan';
import type { SnapshotTotals, SweepSummary } from '../../functions/reconcile/ports';
import { SnapshotRequestInvalid, snapshotRequestOf } from '../../functions/reconcile/snapshot-request';
import { cliArgs, EXIT, EXIT_MEANING, exitWithUsageError, integer, string, strings } from '../cli-kit/cli-args';
import { runMain } from '../cli-kit/cli-errors';
import { resolveTarget, TARGET_OPTIONS } from './target-stack';

/**
 * `npm run snapshot -- --for <subscriber> (--local | --stack <name>) [--user <id> ...]`: starts
 * one snapshot (the reconciler's state machine with a `snapshot` input), follows it, prints its
 * summary. Exits 0 only when every part and then `FriendSnapshotCompleted` are on the bus and
 * every owner could be read.
 */
const spec = {
  usage: 'npm run snapshot -- --for <subscriber> (--local | --stack <name>) [--user <id> ...] [--follow-minutes <n>]',
  description:
    "Sends one subscriber OpenIM's whole friend and black lists: a FriendListSnapshot per user (in parts for big lists), addressed to that subscriber only, then FriendSnapshotCompleted. Reads OpenIM at the reconciler's pace, under the sweep's lock: it does not start while a sweep or another snapshot runs.",
  options: {
    for: string('the subscriber to address it to (friend-graph rebuilds the reference graph)', {
      placeholder: 'subscriber',
      required: true,
    }),
    user: strings('only this user (give it again for more); every user OpenIM lists when absent', 'id'),
    ...TARGET_OPTIONS,
    'follow-minutes': integer('stop following after this long (the snapshot goes on; exit 1)', {
      placeholder: 'n',
      min: 1,
      max: 7 * 24 * 60,
      default: 24 * 60,
    }),
  },
  notes:
    'Subscribe first (friendEventPattern({ snapshotsFor: "<subscriber>" }) or the construct\'s subscribe option), then ask for the snapshot: nothing falls in between.',
  exitCodes: {
    0: 'every part and FriendSnapshotCompleted are on the bus, every user was read',
    1: 'the snapshot failed, timed out or was aborted, a sweep or another snapshot was running, or some users could not be read (named; ask again with --user)',
    2: EXIT_MEANING.usage,
    3: EXIT_MEANING.aws,
  },
};
const args = await cliArgs(spec);
if (args.local === Boolean(args.stack)) await exitWithUsageError(spec, 'give either --local or --stack <name>');
const request = { for: args.for, ...(args.user.length > 0 ? { users: args.user } : {}) };
try {
  snapshotRequestOf({ snapshot: request });
} catch (error) {
  if (!(error instanceof SnapshotRequestInvalid)) throw error;
  await exitWithUsageError(spec, error.message.replace('snapshot.for', '--for').replace('snapshot.users', '--user'));
}

type Finished = { summary: SweepSummary; snapshot: SnapshotAddress; totals: SnapshotTotals };

await runMain(async () => {
  // Loaded here: --help and a usage error answer without the AWS SDK.
  const { runReconcilerExecution } = await import('./reconciler-execution');
  // An execution name: letters, digits, - and _ only, at most 80 characters.
  const name = `snapshot-${args.for.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const snapshot = { id: name, for: args.for };
  return runReconcilerExecution<Finished>(
    await resolveTarget(args),
    {
      name,
      input: { snapshot: request },
      followMinutes: args['follow-minutes'],
      startedLine: (arn) => `snapshot ${name} for ${args.for} started (${arn})`,
    },
    {
      kind: 'snapshot',
      lockReason: 'sweeps and snapshots share one lock and one pace',
      progress: async (records) => {
        const summary = await records.summary(name);
        const totals = summary && (await records.snapshotTotals(name));
        return summary && totals ? describeSnapshot(summary, snapshot, totals) : undefined;
      },
      done: (finished) => ({
        line: describeSnapshot(finished.summary, finished.snapshot, finished.totals),
        code: finished.totals.unreadableUserIDs.length > 0 ? EXIT.partlyFailed : EXIT.ok,
      }),
    },
  );
});
