import { FriendGraphTable } from '../../functions/adapters/aws/friend-graph-table';
import type { FriendEvent } from '../../functions/contract/events';
import { applyEvent } from '../../functions/friend-graph/friend-graph';
import { type LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

/** OpenIM callback bodies (v3.7+) for the friend graph's tests. */
export const request = (from: string, to: string) => ({
  callbackCommand: 'callbackAfterAddFriendCommand',
  fromUserID: from,
  toUserID: to,
  reqMsg: '',
});
export const agree = (applicant: string, accepter: string) => ({
  callbackCommand: 'callbackAfterAddFriendAgreeCommand',
  fromUserID: applicant,
  blackUserID: accepter,
  HandleResult: 1,
  HandleMsg: '',
});
export const importFriends = (owner: string, friends: string[]) => ({
  callbackCommand: 'callbackAfterImportFriendsCommand',
  ownerUserID: owner,
  friendUserIDs: friends,
});
export const deleteFriend = (owner: string, friend: string) => ({
  callbackCommand: 'callbackAfterDeleteFriendCommand',
  ownerUserID: owner,
  friendUserID: friend,
});
export const remark = (
  owner: string,
  friend: string,
  text: string,
  command = 'callbackAfterSetFriendRemarkCommand',
) => ({
  callbackCommand: command,
  ownerUserID: owner,
  friendUserID: friend,
  remark: text,
});
export const removeBlack = (owner: string, black: string) => ({
  callbackCommand: 'callbackAfterRemoveBlackCommand',
  ownerUserID: owner,
  blackUserID: black,
});

/** A receipt time: second `second` of a fixed minute. */
export const at = (second: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, second)).toISOString();

/** A friend graph table in a local DynamoDB, applied to and read back as the tests compare it. */
const graphTable = (dynamo: () => LocalDynamoDb) => {
  const applyAll = async (tableName: string, events: FriendEvent[]) => {
    const store = new FriendGraphTable(dynamo().client, tableName);
    const results = [];
    for (const event of events) results.push(await applyEvent(event, store));
    return results;
  };

  /** The graph without the bookkeeping: owner, other and the register values. */
  const graph = async (tableName: string) =>
    (await dynamo().items(tableName)).map(({ ownerUserID, otherUserID, state, request, remark, blacklist }) => ({
      pair: `${ownerUserID}->${otherUserID}`,
      ...(state === undefined ? {} : { state }),
      ...(request === undefined ? {} : { request }),
      ...(remark === undefined ? {} : { remark }),
      ...(blacklist === undefined ? {} : { blacklist }),
    }));

  /** The friend rows only (`state` registers), as OpenIM's friend lists have them. */
  const friendRows = async (tableName: string) =>
    (await graph(tableName)).filter((entry) => entry.state !== undefined).map(({ pair, state }) => `${pair}:${state}`);
  return { applyAll, graph, friendRows };
};

/**
 * A local DynamoDB (dynalite, in memory) for one test file: started before its tests, stopped
 * after them, with the graph helpers over it.
 */
export const localGraph = () => {
  let started: LocalDynamoDb | undefined;
  beforeAll(async () => {
    started = await startLocalDynamoDb();
  });
  afterAll(() => started?.stop());
  const dynamo = (): LocalDynamoDb => {
    if (!started) throw new Error('the local DynamoDB is not started yet');
    return started;
  };
  return { dynamo, ...graphTable(dynamo) };
};
