import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Template } from 'aws-cdk-lib/assertions';
import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { LocalStepFunctions } from '../../infra/local/step-functions';
import { resourceOf, stateMachineDefinition, taskFunctions } from './deployed-functions';

export interface SweepRun {
  status: string;
  error?: string;
  cause?: string;
}

/**
 * Runs one execution of a state machine of the template on the loopback Step Functions, as the
 * CLI starts and follows one (the real SDK: StartExecution, then DescribeExecution until it ends),
 * each Task state invoking the function the template names for it through `invoke`.
 */
export const runStateMachine = async (
  emulator: AwsEmulator,
  template: Template,
  stateMachineLogicalId: string,
  invoke: (functionLogicalId: string, input: unknown) => Promise<unknown>,
): Promise<SweepRun> => {
  const definition = stateMachineDefinition(resourceOf(template, stateMachineLogicalId).Properties.DefinitionString);
  const tasks = Object.fromEntries(
    Object.entries(taskFunctions(definition)).map(([state, functionId]) => [
      state,
      (input: unknown) => invoke(functionId, input),
    ]),
  );
  const stepFunctions = new LocalStepFunctions();
  emulator.serve('AWSStepFunctions.', stepFunctions.serve);
  const stateMachineArn = stepFunctions.register(stateMachineLogicalId, definition, tasks, 0);
  const client = new SFNClient({ endpoint: emulator.url });
  try {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'deployed-sweep' }));
    // No deadline of its own: each Task is a cold start in a fresh process, as slow as the machine.
    for (;;) {
      const { status = '', error, cause } = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (status !== 'RUNNING') return { status, ...(error ? { error } : {}), ...(cause ? { cause } : {}) };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    client.destroy();
  }
};
