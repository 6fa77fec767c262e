import {
  CreateTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { FRIEND_GRAPH_KEY } from '../../functions/aws/friend-graph-table';
import { RECONCILER_KEY } from '../../functions/aws/reconciler-table';

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

/** Creates a table and waits until it is ACTIVE (dynalite, like DynamoDB, refuses items before that). */
const createTable = async (
  client: DynamoDBClient,
  tableName: string,
  key: { partitionKey: string; sortKey: string },
) => {
  await client.send(new CreateTableCommand({ TableName: tableName, ...keySchema(key.partitionKey, key.sortKey) }));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.5 }, { TableName: tableName });
};

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
