import validateAsl from 'asl-validator';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ENGINE_ERRORS } from '../../functions/contract/deployment';
import { sweepDefinition } from '../../infra/construct/reconciler-definition';

/**
 * The sweep's state machine as data: valid Amazon States Language (asl-validator, offline), and
 * run by a local engine (aws-local-stepfunctions) with stand-in handlers to check its logic:
 * the lock, the page loop, the concurrency bound, retries, and the lock released on failure.
 */
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const definition = sweepDefinition({
  planFunction: arn('plan'),
  workerFunction: arn('worker'),
  finishFunction: arn('finish'),
  concurrency: 2,
  timeoutSeconds: 3600,
});

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type Part = { kind: string; sweepID: string; pageNumber?: number; segment?: number };

const run = async (handlers: { plan?: () => unknown; worker: (part: Part) => Promise<unknown> }) => {
  const calls: string[] = [];
  const finishInputs: unknown[] = [];
  const plan = async (input: { sweepID: string }) => {
    calls.push(`plan ${input.sweepID}`);
    return (
      handlers.plan?.() ?? {
        locked: true,
        sweepID: input.sweepID,
        pageSize: 10,
        pages: [1, 2, 3],
        segments: [0, 1],
        totalSegments: 2,
      }
    );
  };
  const worker = async (part: Part) => {
    calls.push(`${part.kind} ${part.pageNumber ?? part.segment}`);
    return handlers.worker(part);
  };
  const finish = async (input: { sweepID: string; failure?: unknown }) => {
    calls.push('finish');
    finishInputs.push(input);
    return { sweepID: input.sweepID, status: input.failure ? 'failed' : 'completed' };
  };
  type Local = (input: never) => Promise<unknown>;
  const local = (handler: Local) => handler as unknown as (input: unknown) => Promise<never>;
  const execution = new StateMachine(definition as unknown as StateMachineDefinition).run(
    {},
    {
      context: { Execution: { Name: 'sweep-1', Id: 'arn:sweep-1', Input: {}, StartTime: new Date().toISOString() } },
      overrides: {
        taskResourceLocalHandlers: {
          Plan: local(plan),
          SweepPage: local(worker),
          SweepSegment: local(worker),
          Finish: local(finish),
          ReleaseAfterFailure: local(finish),
        },
        retryIntervalOverrides: { Plan: 0, SweepPage: 0, SweepSegment: 0, Finish: 0, ReleaseAfterFailure: 0 },
      },
    },
  );
  try {
    return { output: await execution.result, calls, finishInputs };
  } catch (error) {
    return { error: error as Error, calls, finishInputs };
  }
};

describe('the sweep state machine', () => {
  it('is valid Amazon States Language', () => {
    const result = validateAsl(definition);
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('plans, sweeps every page and then every orphans segment (a part that ran short goes on), and finishes', async () => {
    let page2Runs = 0;
    const { output, calls } = await run({
      worker: async (part) => ({ done: part.pageNumber !== 2 || ++page2Runs > 1 }),
    });
    expect(output).toEqual({ sweepID: 'sweep-1', status: 'completed' });
    expect(calls[0]).toBe('plan sweep-1');
    expect(calls.filter((call) => call.startsWith('page')).sort()).toEqual(['page 1', 'page 2', 'page 2', 'page 3']);
    // Orphans only after every page; finish last.
    const lastPage = Math.max(...calls.map((call, index) => (call.startsWith('page') ? index : -1)));
    expect(calls.findIndex((call) => call.startsWith('orphans'))).toBeGreaterThan(lastPage);
    expect(calls.at(-1)).toBe('finish');
  });

  it('runs at most MaxConcurrency parts at once', async () => {
    let running = 0;
    let most = 0;
    await run({
      plan: () => ({
        locked: true,
        sweepID: 'sweep-1',
        pageSize: 10,
        pages: [1, 2, 3, 4, 5, 6],
        segments: [0],
        totalSegments: 1,
      }),
      worker: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        return { done: true };
      },
    });
    expect(most).toBe(2);
  });

  it('does nothing while another sweep holds the lock', async () => {
    const { output, calls } = await run({
      plan: () => ({ locked: false, sweepID: 'sweep-1', heldBy: 'sweep-0' }),
      worker: async () => ({ done: true }),
    });
    expect(output).toEqual({ locked: false, sweepID: 'sweep-1', heldBy: 'sweep-0' });
    expect(calls).toEqual(['plan sweep-1']);
  });

  it('retries a part while OpenIM is unavailable, without redoing the other parts', async () => {
    let failures = 2;
    const { output, calls } = await run({
      worker: async (part) => {
        if (part.pageNumber === 3 && failures-- > 0) throw new NamedError(ENGINE_ERRORS.openImUnavailable, 'HTTP 502');
        return { done: true };
      },
    });
    expect(output).toMatchObject({ status: 'completed' });
    expect(calls.filter((call) => call === 'page 3')).toHaveLength(3);
    expect(calls.filter((call) => call === 'page 1')).toHaveLength(1);
  });

  it.each([
    [ENGINE_ERRORS.openImRefused, 1],
    [ENGINE_ERRORS.adminSecretNotSet, 1],
    ['RepairsNotPublished', 4], // anything else: three retries
  ])('fails on %s after %i tries, releasing the lock with the reason', async (name, tries) => {
    const { error, calls, finishInputs } = await run({
      worker: async (part) => {
        if (part.pageNumber === 1) throw new NamedError(name, 'no luck');
        return { done: true };
      },
    });
    // The engine wraps what the Fail state raised: its name is the error, its message the cause.
    expect(error?.cause).toMatchObject({ name, message: 'no luck' });
    expect(calls.filter((call) => call === 'page 1')).toHaveLength(tries);
    expect(calls).not.toContain('orphans 0');
    expect(finishInputs).toEqual([{ sweepID: 'sweep-1', failure: { Error: name, Cause: 'no luck' } }]);
  });
});
