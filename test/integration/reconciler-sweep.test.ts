import fc from 'fast-check';
import { FriendGraphRows } from '../../functions/adapters/aws/friend-graph-rows';
import { FriendGraphTable } from '../../functions/adapters/aws/friend-graph-table';
import { ReconcilerMirrors } from '../../functions/adapters/aws/reconciler-mirrors';
import { ReconcilerTable } from '../../functions/adapters/aws/reconciler-table';
import type { FriendEvent } from '../../functions/contract/events';
import { applyEvent } from '../../functions/friend-graph/friend-graph';
import { type GraphRow, ownerView } from '../../functions/friend-graph/graph-view';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';
import { nonEmpty, runScenario, type ScenarioStores, scenario } from '../helpers/reconcile-scenario';

/**
 * The reconciler's promise against a real local DynamoDB (dynalite) through the real SDK: the
 * friend graph table as the subscriber writes it, the reconciler's own table (mirrors, records,
 * lock). Random OpenIM histories, callbacks lost, duplicated, reordered and delayed (some past
 * the first sweep); after a sweep the graph equals OpenIM's lists, and a sweep with no change in
 * OpenIM publishes nothing.
 */
let dynamo: LocalDynamoDb;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(() => dynamo.stop());

const dynamoStores = async (): Promise<ScenarioStores> => {
  const graphTable = await dynamo.createFriendGraphTable();
  const reconcilerTable = await dynamo.createReconcilerTable();
  const writer = new FriendGraphTable(dynamo.client, graphTable);
  const reader = new FriendGraphRows(dynamo.client, graphTable);
  return {
    graph: {
      ownerView: (owner) => reader.ownerView(owner),
      ownersPage: (segment, total, cursor) => reader.ownersPage(segment, total, cursor),
      deliver: async (events: readonly FriendEvent[]) => {
        for (const event of events) await applyEvent(event, writer);
      },
      views: async () => {
        const byOwner = new Map<string, GraphRow[]>();
        for (const { ownerUserID, ...row } of await dynamo.items(graphTable)) {
          byOwner.set(String(ownerUserID), [...(byOwner.get(String(ownerUserID)) ?? []), row as unknown as GraphRow]);
        }
        return new Map([...byOwner].map(([owner, rows]) => [owner, ownerView(rows)]));
      },
    },
    mirrors: new ReconcilerMirrors(dynamo.client, reconcilerTable),
    records: new ReconcilerTable(dynamo.client, reconcilerTable),
  };
};

it('after a sweep the graph in DynamoDB equals OpenIM, and a sweep with no change publishes nothing (property)', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (run) => {
      const result = await runScenario(run, await dynamoStores());
      expect(nonEmpty(result.afterFirstSweep.actual)).toEqual(nonEmpty(result.afterFirstSweep.expected));
      expect(nonEmpty(result.actual)).toEqual(nonEmpty(result.expected));
      expect(result.thirdSweepRepairs).toEqual([]);
      expect(result.summaries.map((summary) => summary.status)).toEqual(['completed', 'completed', 'completed']);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 25) },
  );
}, 120_000);
