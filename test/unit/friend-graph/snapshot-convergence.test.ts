import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import type { FriendEvent, SnapshotEvent } from '../../../functions/contract/events';
import { eventsFor } from '../../helpers/callback-events';
import { at } from '../../helpers/friend-graph-fixtures';
import { ModelDirectory, type OpenImAction } from '../../helpers/openim-port';
import { InMemoryGraph } from '../../helpers/reconciler-fakes';
import { snapshotEvents } from '../../helpers/snapshot-parts';

/**
 * Issue 23's promise for a subscriber that cannot count on sweeps: it missed part of the history
 * (and OpenIM changed things no callback reports), subscribes late, then asks for its snapshot
 * while callbacks keep coming, some received before the read and some after it; events and parts
 * arrive in any order. Once every part and every callback is applied, it holds OpenIM's lists.
 * The subscriber is the reference graph's own handler over the in-memory graph store.
 */
const USERS = ['u1', 'u2', 'u3', 'u4'];
const user = fc.constantFrom(...USERS);
const pair = fc.tuple(user, user).filter(([a, b]) => a !== b);
const remarkText = fc.constantFrom('', 'x', 'y');

/** Actions OpenIM calls back after. */
const reported: fc.Arbitrary<OpenImAction> = fc.oneof(
  pair.map(([from, to]): OpenImAction => ({ action: 'request', from, to })),
  pair.map(([applicant, accepter]): OpenImAction => ({ action: 'agree', applicant, accepter })),
  fc
    .tuple(user, fc.uniqueArray(user, { minLength: 1, maxLength: 3 }))
    .map(([owner, friends]): OpenImAction => ({ action: 'import', owner, friends })),
  pair.map(([owner, friend]): OpenImAction => ({ action: 'delete', owner, friend })),
  fc
    .tuple(pair, remarkText)
    .map(([[owner, friend], remark]): OpenImAction => ({ action: 'remark', owner, friend, remark })),
  pair.map(([owner, black]): OpenImAction => ({ action: 'unblock', owner, black })),
);
/** Actions no callback reports: only a snapshot (or a sweep) can tell a subscriber about them. */
const unreported: fc.Arbitrary<OpenImAction> = fc.oneof(
  pair.map(([owner, black]): OpenImAction => ({ action: 'block', owner, black })),
  fc
    .tuple(pair, remarkText)
    .map(([[owner, friend], remark]): OpenImAction => ({ action: 'update', owner, friend, remark })),
);

const scenario = fc.record({
  history: fc.array(fc.tuple(fc.oneof(reported, unreported), fc.boolean()), { maxLength: 30 }),
  whileReading: fc.array(reported, { maxLength: 6 }),
  afterRead: fc.array(reported, { maxLength: 6 }),
  rowsPerPart: fc.integer({ min: 1, max: 4 }),
  deliveryKeys: fc.array(fc.nat(1_000), { minLength: 256, maxLength: 256 }),
});

const silent = new Logger({ logLevel: 'SILENT' });
// The handler module builds its deployed handler on import, from the environment; this test uses its factory only.
process.env.FRIEND_GRAPH_TABLE_NAME ??= 'not-used-by-this-test';
const { createFriendGraphHandler } = await import('../../../functions/handlers/friend-graph');

describe('a subscriber that applies its snapshot', () => {
  it("holds OpenIM's lists after every part, whatever it missed and however live callbacks interleave (property)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ history, whileReading, afterRead, rowsPerPart, deliveryKeys }) => {
        const openIm = new ModelDirectory(USERS);
        let second = 0;
        const act = (action: OpenImAction): FriendEvent[] => {
          const body = openIm.apply(action);
          const receivedAt = at(second++);
          return body ? eventsFor(body, receivedAt) : [];
        };
        const graph = new InMemoryGraph();
        const handler = createFriendGraphHandler({ store: graph, includeSynthetic: false, logger: silent });

        // Before subscribing: it received only part of the history (in order, as it happened).
        for (const [action, received] of history) {
          const events = act(action);
          if (received) for (const event of events) await handler(event);
        }
        // Subscribed, then asked for its snapshot: callbacks during the read, the read, callbacks after it.
        const live = whileReading.flatMap(act);
        const observedAt = at(second++);
        const { parts } = snapshotEvents(openIm.lists(), {
          address: { id: 'run', for: 'friend-graph' },
          observedAt,
          completedAt: observedAt,
          rowsPerPart,
        });
        live.push(...afterRead.flatMap(act));

        const deliveries: (FriendEvent | SnapshotEvent)[] = [...parts, ...live];
        const order = deliveries
          .map((event, index) => ({ event, key: deliveryKeys[index % deliveryKeys.length] ?? 0, index }))
          .sort((a, b) => a.key - b.key || a.index - b.index);
        for (const { event } of order) await handler(event);

        for (const [owner, lists] of openIm.lists()) {
          const view = await graph.ownerView(owner);
          expect({ owner, friends: Object.fromEntries(view.friends), blocked: [...view.blocked].sort() }).toEqual({
            owner,
            friends: Object.fromEntries(lists.friends.map((row) => [row.userID, row.remark])),
            blocked: [...lists.blacks].sort(),
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
