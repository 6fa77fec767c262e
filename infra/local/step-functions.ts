import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ServiceHandler } from './aws-emulator';
import { reply } from './aws-wire';

/**
 * Step Functions on the loopback endpoint, for `npm start` and the tests: StartExecution,
 * DescribeExecution and StopExecution (AWS JSON 1.0, as the SDK sends them) over state machines
 * registered with their definition. Executions run in this process on aws-local-stepfunctions,
 * each Task state by a local handler (the real Lambda handlers); what it does not support (the
 * Distributed Map's child executions, ItemReader) the sweep's definition does not use.
 */
export type TaskHandler = (input: unknown) => Promise<unknown>;

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  startDate: number;
  stopDate?: number;
  status: Status;
  output?: string;
  error?: string;
  cause?: string;
  abort: () => void;
  done: Promise<void>;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

export const localStateMachineArn = (name: string): string =>
  `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

export class LocalStepFunctions {
  private readonly machines = new Map<
    string,
    { definition: unknown; tasks: Record<string, TaskHandler>; retryIntervalMs: number | undefined }
  >();
  private readonly executions = new Map<string, Execution>();

  /**
   * A state machine whose Task states (by name) run these handlers. `retryIntervalMs` replaces
   * every Retry's wait (tests); by default the definition's backoff is kept.
   */
  register(name: string, definition: unknown, tasks: Record<string, TaskHandler>, retryIntervalMs?: number): string {
    const arn = localStateMachineArn(name);
    this.machines.set(arn, { definition, tasks, retryIntervalMs });
    return arn;
  }

  /** Resolves once every execution started so far has ended (for a clean shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  stopAll(): void {
    for (const execution of this.executions.values()) if (execution.status === 'RUNNING') execution.abort();
  }

  readonly serve: ServiceHandler = ({ target, raw, response }) => {
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    const [status, result] = this.operate(target.slice('AWSStepFunctions.'.length), body);
    reply(response, status, result);
  };

  private operate(operation: string, body: Record<string, unknown>): [number, unknown] {
    switch (operation) {
      case 'StartExecution':
        return this.start(body);
      case 'DescribeExecution': {
        const execution = this.executions.get(String(body.executionArn));
        if (!execution) return error('ExecutionDoesNotExist', `Execution Does Not Exist: '${body.executionArn}'`);
        return [200, describe(execution)];
      }
      case 'StopExecution': {
        const execution = this.executions.get(String(body.executionArn));
        if (!execution) return error('ExecutionDoesNotExist', `Execution Does Not Exist: '${body.executionArn}'`);
        if (execution.status === 'RUNNING') execution.abort();
        return [200, { stopDate: Date.now() / 1000 }];
      }
      default:
        return error('UnknownOperationException', `the local Step Functions does not do ${operation}`);
    }
  }

  private start(body: Record<string, unknown>): [number, unknown] {
    const stateMachineArn = String(body.stateMachineArn);
    const machine = this.machines.get(stateMachineArn);
    if (!machine) return error('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const name = typeof body.name === 'string' && body.name !== '' ? body.name : randomUUID();
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    if (this.executions.has(executionArn))
      return error('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    const input = typeof body.input === 'string' ? body.input : '{}';
    const startDate = Date.now();
    const run = new StateMachine(machine.definition as StateMachineDefinition).run(JSON.parse(input), {
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: JSON.parse(input),
          StartTime: new Date(startDate).toISOString(),
        },
      },
      overrides: {
        taskResourceLocalHandlers: machine.tasks as never,
        ...(machine.retryIntervalMs === undefined
          ? {}
          : {
              retryIntervalOverrides: Object.fromEntries(
                Object.keys(machine.tasks).map((state) => [state, machine.retryIntervalMs as number]),
              ),
            }),
      },
    });
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name,
      input,
      startDate,
      status: 'RUNNING',
      abort: run.abort,
      done: Promise.resolve(),
    };
    execution.done = run.result.then(
      (output) => {
        Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null), stopDate: Date.now() });
      },
      (failure: unknown) => {
        // The engine wraps what failed the execution: a Fail state's error and cause, or a task's error.
        const cause = (failure as { cause?: unknown }).cause ?? failure;
        const ended = (failure as Error).name;
        Object.assign(execution, {
          status:
            ended === 'ExecutionAbortedError' ? 'ABORTED' : ended === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED',
          error: cause instanceof Error ? cause.name : 'States.Runtime',
          cause: cause instanceof Error ? cause.message : String(cause),
          stopDate: Date.now(),
        });
      },
    );
    this.executions.set(executionArn, execution);
    return [200, { executionArn, startDate: startDate / 1000 }];
  }
}

const describe = (execution: Execution) => ({
  executionArn: execution.executionArn,
  stateMachineArn: execution.stateMachineArn,
  name: execution.name,
  status: execution.status,
  input: execution.input,
  startDate: execution.startDate / 1000,
  ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate / 1000 }),
  ...(execution.output === undefined ? {} : { output: execution.output }),
  ...(execution.error === undefined ? {} : { error: execution.error, cause: execution.cause }),
});

const error = (type: string, message: string): [number, unknown] => [400, { __type: type, message }];
