import fc from 'fast-check';
import { nonEmpty, runScenario, scenario } from '../../helpers/reconcile-scenario';
import { InMemoryGraph, InMemoryMirrors, InMemorySweepRecords } from '../../helpers/reconciler-fakes';

/**
 * The reconciler's promise, in memory (many runs): whatever OpenIM did and whatever happened to
 * its callbacks (lost, duplicated, reordered, delayed past a sweep), once changes stop one sweep
 * makes the graph equal OpenIM's friend and black lists, and the next sweep publishes nothing.
 * The same property runs against a real local DynamoDB in test/integration/reconciler-sweep.test.ts.
 */
it('after a sweep the graph equals OpenIM, and a sweep with no change publishes nothing (property)', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (run) => {
      const result = await runScenario(run, {
        graph: new InMemoryGraph(),
        mirrors: new InMemoryMirrors(),
        records: new InMemorySweepRecords(),
      });
      expect(nonEmpty(result.afterFirstSweep.actual)).toEqual(nonEmpty(result.afterFirstSweep.expected));
      expect(nonEmpty(result.actual)).toEqual(nonEmpty(result.expected));
      expect(result.thirdSweepRepairs).toEqual([]);
      expect(result.summaries.map((summary) => 'status' in summary && summary.status)).toEqual([
        'completed',
        'completed',
        'completed',
      ]);
    }),
    {
      numRuns: Number(process.env.FUZZ_RUNS ?? 300),
      // Found by a random run: update_friends on a friend just deleted (its callback lost). OpenIM
      // refuses it; a model that logged it as a change hid the row's removal from every later sweep.
      examples: [
        [
          {
            before: [
              [
                { action: 'import', owner: 'u2', friends: ['u3', 'u0'] },
                { copies: 0, delaySeconds: 0, afterFirstSweep: false },
              ],
            ],
            after: [
              [
                { action: 'delete', owner: 'u3', friend: 'u2' },
                { copies: 0, delaySeconds: 0, afterFirstSweep: false },
              ],
              [
                { action: 'update', owner: 'u3', friend: 'u2', remark: undefined, pinned: false },
                { copies: 0, delaySeconds: 0, afterFirstSweep: false },
              ],
            ],
            seed: 0,
            pageSize: 1,
            faults: {
              pageCap: Number.POSITIVE_INFINITY,
              nullPageOf: undefined,
              deleteBetweenPages: undefined,
              twoWorkersPerPage: false,
              unreadableInThirdSweep: undefined,
            },
          },
        ],
      ],
    },
  );
});
