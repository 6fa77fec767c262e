import { CreateTableCommand, type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
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

export const createFriendGraphTable = (client: DynamoDBClient, tableName: string) =>
  client.send(
    new CreateTableCommand({
      TableName: tableName,
      ...keySchema(FRIEND_GRAPH_KEY.partitionKey, FRIEND_GRAPH_KEY.sortKey),
    }),
  );

export const createReconcilerTable = (client: DynamoDBClient, tableName: string) =>
  client.send(
    new CreateTableCommand({ TableName: tableName, ...keySchema(RECONCILER_KEY.partitionKey, RECONCILER_KEY.sortKey) }),
  );

/** Creates whichever of the tables does not exist yet (a persisted local DynamoDB keeps them). */
export const ensureTables = async (client: DynamoDBClient, names: { friendGraph: string; reconciler: string }) => {
  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  if (!TableNames.includes(names.friendGraph)) await createFriendGraphTable(client, names.friendGraph);
  if (!TableNames.includes(names.reconciler)) await createReconcilerTable(client, names.reconciler);
};
