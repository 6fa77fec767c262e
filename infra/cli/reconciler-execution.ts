import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ReconcilerTable } from '../../functions/adapters/aws/reconciler-table';
import { describeFailure } from '../../functions/reconcile/plan';
import { EXIT } from '../cli-kit/cli-args';
import { requireTargetOutput, type resolveTarget } from './target-stack';

const PROGRESS_EVERY_MS = 10_000;

/** What one kind of run (a sweep, a snapshot) says while it runs and once it is done. */
export interface ExecutionReport<Output> {
  /** How the lines name it: `sweep`, `snapshot`. */
  kind: string;
  /** Why two never run at once, after "… is running". */
  lockReason: string;
  /** A line on where it stands, from its record (also printed after a failure); undefined before it has one. */
  progress: (records: ReconcilerTable, failed: boolean) => Promise<string | undefined>;
  /** The summary line of a run that succeeded, and the exit code it means. */
  done: (output: Output) => { line: string; code: number };
}

/**
 * Starts one execution of the reconciler's state machine (a sweep, or a snapshot by its input),
 * follows it to its end and prints what `report` says: shared by `npm run reconcile` and
 * `npm run snapshot`. Resolves to the exit code: 0 only when `report.done` says so.
 */
export const runReconcilerExecution = async <Output>(
  target: Awaited<ReturnType<typeof resolveTarget>>,
  execution: { name: string; input: object; followMinutes: number; startedLine: (arn: string) => string },
  report: ExecutionReport<Output>,
): Promise<number> => {
  const noReconciler = 'deploy the stack with -c openImApiUrl=<OpenIM API URL> to turn reconciliation on';
  const stateMachineArn = requireTargetOutput(target, 'ReconcilerStateMachineArn', noReconciler);
  const records = new ReconcilerTable(
    new DynamoDBClient({}),
    requireTargetOutput(target, 'ReconcilerTableName', noReconciler),
  );
  const sfn = new SFNClient({});
  const { name } = execution;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(execution.input) }),
  );
  console.log(execution.startedLine(executionArn ?? ''));

  const giveUpAt = Date.now() + execution.followMinutes * 60_000;
  let lastProgress = Date.now();
  let progressLine = '';
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') {
      if (described.status === 'SUCCEEDED') {
        const output = JSON.parse(described.output ?? '{}') as Output & { locked?: boolean; heldBy?: string };
        if (output.locked === false) {
          console.error(
            `${report.kind} ${name} did nothing: ${output.heldBy} is running (${report.lockReason}); try again when it ends`,
          );
          return EXIT.partlyFailed;
        }
        const { line, code } = report.done(output);
        console.log(line);
        return code;
      }
      const line = await report.progress(records, true).catch(() => undefined);
      if (line) console.error(line);
      const failure = describeFailure({ Error: described.error, Cause: described.cause });
      console.error(`${report.kind} ${name} ${described.status?.toLowerCase().replace('_', ' ')}: ${failure}`);
      return EXIT.partlyFailed;
    }
    if (Date.now() > giveUpAt) {
      console.error(
        `${report.kind} ${name} is still running after ${execution.followMinutes} minutes; stopped following it (it goes on)`,
      );
      return EXIT.partlyFailed;
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      const line = (await report.progress(records, false).catch(() => undefined)) ?? '';
      if (line && line !== progressLine) console.log(line);
      progressLine = line;
    }
    await new Promise((resolve) => setTimeout(resolve, target.local ? 200 : 2_000));
  }
};
