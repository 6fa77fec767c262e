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

type Part = {
  kind: string;
  sweepID: string;
  pageNumber?: number;
  segment?: number;
  snapshot?: unknown;
  select?: { pageNumber?: number; batch?: number };
};

const run = async (handlers: {
  plan?: (input: { sweepID: string; input?: unknown }) => unknown;
  worker: (part: Part) => Promise<unknown>;
  input?: Parameters<StateMachine['run']>[0];
}) => {
  const calls: string[] = [];
  const finishInputs: unknown[] = [];
  const plan = async (input: { sweepID: string; input?: unknown }) => {
    calls.push(`plan ${input.sweepID}`);
    return (
      handlers.plan?.(input) ?? {
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
    calls.push(`${part.kind} ${part.pageNumber ?? part.segment ?? part.select?.pageNumber ?? part.select?.batch}`);
    return handlers.worker(part);
  };
  const finish = async (input: { sweepID: string; failure?: unknown; snapshot?: unknown }) => {
    calls.push(input.snapshot ? 'finish snapshot' : 'finish');
    finishInputs.push(input);
    return { sweepID: input.sweepID, status: input.failure ? 'failed' : 'completed' };
  };
  type Local = (input: never) => Promise<unknown>;
  const local = (handler: Local) => handler as unknown as (input: unknown) => Promise<never>;
  const execution = new StateMachine(definition as unknown as StateMachineDefinition).run(handlers.input ?? {}, {
    context: {
      Execution: {
        Name: 'sweep-1',
        Id: 'arn:sweep-1',
        Input: handlers.input ?? {},
        StartTime: new Date().toISOString(),
      },
    },
    overrides: {
      taskResourceLocalHandlers: {
        Plan: local(plan),
        SweepPage: local(worker),
        SweepSegment: local(worker),
        SnapshotPart: local(worker),
        Finish: local(finish),
        FinishSnapshot: local(finish),
        ReleaseAfterFailure: local(finish),
      },
      retryIntervalOverrides: {
        Plan: 0,
        SweepPage: 0,
        SweepSegment: 0,
        SnapshotPart: 0,
        Finish: 0,
        FinishSnapshot: 0,
        ReleaseAfterFailure: 0,
      },
    },
  });
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

  describe('started with a snapshot input', () => {
    const request = { snapshot: { for: 'mine', users: ['a', 'b', 'c'] } };
    const snapshotPlan = (input: { sweepID: string; input?: unknown }) => ({
      locked: true,
      sweepID: input.sweepID,
      snapshot: { id: input.sweepID, for: 'mine' },
      snapshotParts: [
        { batch: 1, userIDs: ['a', 'b'] },
        { batch: 2, userIDs: ['c'] },
      ],
    });

    it('gives the plan the input, sends every part (a part that ran short goes on), and only then finishes the snapshot', async () => {
      const inputs: unknown[] = [];
      const parts: Part[] = [];
      let batch2Runs = 0;
      const { output, calls, finishInputs } = await run({
        input: request,
        plan: (input) => {
          inputs.push(input);
          return snapshotPlan(input);
        },
        worker: async (part) => {
          parts.push(part);
          return { done: part.select?.batch !== 2 || ++batch2Runs > 1 };
        },
      });
      expect(inputs).toEqual([{ sweepID: 'sweep-1', input: request }]);
      expect(output).toEqual({ sweepID: 'sweep-1', status: 'completed' });
      expect(calls.filter((call) => call.startsWith('snapshot')).sort()).toEqual([
        'snapshot 1',
        'snapshot 2',
        'snapshot 2',
      ]);
      expect(parts[0]).toEqual({
        kind: 'snapshot',
        sweepID: 'sweep-1',
        snapshot: { id: 'sweep-1', for: 'mine' },
        select: { batch: 1, userIDs: ['a', 'b'] },
      });
      // No sweep parts, and the completion only after every part.
      expect(calls.some((call) => call.startsWith('page') || call.startsWith('orphans'))).toBe(false);
      expect(calls.at(-1)).toBe('finish snapshot');
      expect(finishInputs).toEqual([{ sweepID: 'sweep-1', snapshot: { id: 'sweep-1', for: 'mine' } }]);
    });

    it('does nothing while a sweep holds the lock', async () => {
      const { output, calls } = await run({
        input: request,
        plan: () => ({ locked: false, sweepID: 'sweep-1', heldBy: 'sweep-0' }),
        worker: async () => ({ done: true }),
      });
      expect(output).toEqual({ locked: false, sweepID: 'sweep-1', heldBy: 'sweep-0' });
      expect(calls).toEqual(['plan sweep-1']);
    });

    it('fails a request that is not valid at once, releasing the lock', async () => {
      const { error, calls } = await run({
        input: { snapshot: { for: '' } },
        plan: () => {
          throw new NamedError('SnapshotRequestInvalid', 'snapshot.for must name the subscriber');
        },
        worker: async () => ({ done: true }),
      });
      expect(error?.cause).toMatchObject({ name: 'SnapshotRequestInvalid' });
      expect(calls).toEqual(['plan sweep-1', 'finish']);
    });

    it('fails without the completion when a part fails for good', async () => {
      const { error, calls } = await run({
        input: request,
        plan: snapshotPlan,
        worker: async (part) => {
          if (part.select?.batch === 2) throw new NamedError(ENGINE_ERRORS.openImRefused, 'no');
          return { done: true };
        },
      });
      expect(error?.cause).toMatchObject({ name: ENGINE_ERRORS.openImRefused });
      expect(calls).not.toContain('finish snapshot');
      expect(calls.at(-1)).toBe('finish');
    });
  });
});
