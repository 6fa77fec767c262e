import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb } from '../helpers/local-dynamodb';

/**
 * The local DynamoDB of the tests behaves like DynamoDB: CreateTable answers while the table is
 * still CREATING. Reading it then fails ("Requested resource not found"), which a loaded machine
 * made happen in a test; the helper waits for ACTIVE. (Here dynalite takes 300 ms to create one.)
 */
it('createTable returns once the table is ACTIVE, so the next request finds it', async () => {
  const dynamo = await startLocalDynamoDb({ createTableMs: 300 });
  try {
    await dynamo.createTable({
      TableName: 'slow-to-create',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    });
    await expect(dynamo.client.send(new ScanCommand({ TableName: 'slow-to-create' }))).resolves.toMatchObject({
      Count: 0,
    });
  } finally {
    await dynamo.stop();
  }
});
