import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ListTablesCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { FRIEND_GRAPH_KEY } from '../../functions/adapters/aws/friend-graph-table';
import { RECONCILER_KEY } from '../../functions/adapters/aws/reconciler-table';

/** The two tables of the product, keyed as the stack defines them, in a local DynamoDB (dynalite). */
const keySchema = (partitionKey: string, sortKey: string) => ({
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [
    { AttributeName: partitionKey, AttributeType: 'S' as const },
    { AttributeName: sortKey, AttributeType: 'S' as const },
  ],
  KeySchema: [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    { AttributeName: sortKey, KeyType: 'RANGE' as const },
  ],
});

/**
 * Creates a table and waits until it is ACTIVE, as a DynamoDB client must: CreateTable answers
 * while the table is CREATING, and dynalite, like DynamoDB, refuses items before that.
 */
export const createTableAndWait = async (client: DynamoDBClient, input: CreateTableCommandInput) => {
  await client.send(new CreateTableCommand(input));
  // The wait is generous: how soon a busy machine gets to it is not a failure.
  await waitUntilTableExists(
    { client, maxWaitTime: 300, minDelay: 0.05, maxDelay: 0.5 },
    { TableName: input.TableName },
  );
};

const createTable = (client: DynamoDBClient, tableName: string, key: { partitionKey: string; sortKey: string }) =>
  createTableAndWait(client, { TableName: tableName, ...keySchema(key.partitionKey, key.sortKey) });

export const createFriendGraphTable = (client: DynamoDBClient, tableName: string) =>
  createTable(client, tableName, FRIEND_GRAPH_KEY);

export const createReconcilerTable = (client: DynamoDBClient, tableName: string) =>
  createTable(client, tableName, RECONCILER_KEY);

/** Creates whichever of the tables does not exist yet (a persisted local DynamoDB keeps them). */
export const ensureTables = async (client: DynamoDBClient, names: { friendGraph: string; reconciler: string }) => {
  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  if (!TableNames.includes(names.friendGraph)) await createFriendGraphTable(client, names.friendGraph);
  if (!TableNames.includes(names.reconciler)) await createReconcilerTable(client, names.reconciler);
};
