import fc from 'fast-check';
import type { FriendEvent } from '../../functions/contract/events';
import { eventsFor } from '../helpers/callback-events';
import {
  agree,
  at,
  deleteFriend,
  importFriends,
  localGraph,
  remark,
  removeBlack,
  request,
} from '../helpers/friend-graph-fixtures';

/**
 * The reference subscriber's order independence against a real DynamoDB implementation
 * (dynalite): properties over random histories of OpenIM callbacks.
 */
const { dynamo, applyAll, graph, friendRows } = localGraph();

describe('the friend graph in DynamoDB, for any history', () => {
  it('never lets a request change a friend row, whatever came before or after it (property)', async () => {
    const user = fc.constantFrom('u1', 'u2', 'u3');
    const pair = fc.tuple(user, user).filter(([a, b]) => a !== b);
    const friendship = fc.oneof(
      pair.map(([a, b]) => agree(a, b)),
      pair.map(([a, b]) => importFriends(a, [b])),
      pair.map(([a, b]) => deleteFriend(a, b)),
    );
    // Friendships first, then requests after (and some among) them: the case that used to downgrade rows.
    const timeline = fc
      .tuple(
        fc.array(fc.tuple(friendship, fc.integer({ min: 0, max: 10 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(pair, fc.integer({ min: 5, max: 20 })), { minLength: 1, maxLength: 4 }),
      )
      .map(([changes, requests]) => ({
        withoutRequests: changes.flatMap(([body, second], index) => eventsFor(body, at(second), '', `f-${index}`)),
        requests: requests.flatMap(([[a, b], second], index) => eventsFor(request(a, b), at(second), '', `r-${index}`)),
      }));

    await fc.assert(
      fc.asyncProperty(timeline, fc.boolean(), async ({ withoutRequests, requests }, requestsFirst) => {
        const withRequests = await dynamo().createFriendGraphTable();
        const without = await dynamo().createFriendGraphTable();
        await applyAll(
          withRequests,
          requestsFirst ? [...requests, ...withoutRequests] : [...withoutRequests, ...requests],
        );
        await applyAll(without, withoutRequests);
        expect(await friendRows(withRequests)).toEqual(await friendRows(without));
      }),
      { numRuns: 30 },
    );
  });

  it('gives the same graph for events delivered shuffled and duplicated as for in-order delivery (property)', async () => {
    const user = fc.constantFrom('u1', 'u2', 'u3');
    const pair = fc.tuple(user, user).filter(([a, b]) => a !== b);
    const body = fc.oneof(
      pair.map(([a, b]) => request(a, b)),
      pair.map(([a, b]) => agree(a, b)),
      fc.tuple(user, fc.uniqueArray(user, { maxLength: 2 })).map(([owner, friends]) =>
        importFriends(
          owner,
          friends.filter((friend) => friend !== owner),
        ),
      ),
      pair.map(([a, b]) => deleteFriend(a, b)),
      fc.tuple(pair, fc.constantFrom('', 'x', 'y')).map(([[a, b], text]) => remark(a, b, text)),
      pair.map(([a, b]) => removeBlack(a, b)),
    );
    // Seconds from a small range, so some changes of one pair share a receive time (tie-break).
    // Plus requests received after every other change (seconds 21 to 25): a request that follows a
    // friendship must leave its friend rows as they are, in any delivery order.
    const timedEvents = fc
      .tuple(
        fc.array(fc.tuple(body, fc.integer({ min: 0, max: 20 }), fc.nat(3)), { minLength: 1, maxLength: 10 }),
        fc.array(fc.tuple(pair, fc.integer({ min: 21, max: 25 })), { maxLength: 3 }),
      )
      .map(([entries, laterRequests]) => [
        ...entries.flatMap(([entry, second, op], index) =>
          eventsFor(entry, at(second), `op-${op}`, `request-${index}`),
        ),
        ...laterRequests.flatMap(([[a, b], second], index) =>
          eventsFor(request(a, b), at(second), '', `later-${index}`),
        ),
      ]);
    const delivery = timedEvents.chain((events) =>
      fc.tuple(
        fc.constant(events),
        fc.array(fc.nat(events.length - 1), { maxLength: events.length }).chain((duplicates) =>
          fc.shuffledSubarray([...events, ...duplicates.map((index) => events[index] as FriendEvent)], {
            minLength: events.length + duplicates.length,
          }),
        ),
      ),
    );

    await fc.assert(
      fc.asyncProperty(delivery, async ([events, delivered]) => {
        const inOrder = [...events].sort((a, b) =>
          (a.detail.receivedAt + a.detail.idempotencyKey).localeCompare(b.detail.receivedAt + b.detail.idempotencyKey),
        );
        const expected = await dynamo().createFriendGraphTable();
        const actual = await dynamo().createFriendGraphTable();
        await applyAll(expected, inOrder);
        await applyAll(actual, delivered);
        expect(await graph(actual)).toEqual(await graph(expected));
      }),
      { numRuns: 30 },
    );
  });
});
