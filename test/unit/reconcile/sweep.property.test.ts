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
    { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
  );
});
