import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  type CreateTableCommandInput,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createFriendGraphTable, createReconcilerTable, createTableAndWait } from '../../infra/local/local-tables';

export interface LocalDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a table and waits until it is ACTIVE, as a DynamoDB client must: CreateTable returns while it is CREATING. */
  createTable(input: CreateTableCommandInput): Promise<void>;
  /** A new, empty friend graph table (as the stack defines it); returns its name. */
  createFriendGraphTable(): Promise<string>;
  /** A new, empty reconciler state table (as the stack defines it); returns its name. */
  createReconcilerTable(): Promise<string>;
  /** Every item of a table, attribute values unwrapped, sorted by key. */
  items(tableName: string): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

/** A real DynamoDB implementation (dynalite, in memory) on a loopback port. */
export const startLocalDynamoDb = async (options: { createTableMs?: number } = {}): Promise<LocalDynamoDb> => {
  const server = dynalite({ createTableMs: options.createTableMs ?? 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint });
  let tables = 0;
  const createTable = (input: CreateTableCommandInput) => createTableAndWait(client, input);
  return {
    endpoint,
    client,
    createTable,
    async createFriendGraphTable() {
      const tableName = `friend-graph-${++tables}`;
      await createFriendGraphTable(client, tableName);
      return tableName;
    },
    async createReconcilerTable() {
      const tableName = `reconciler-${++tables}`;
      await createReconcilerTable(client, tableName);
      return tableName;
    },
    async items(tableName) {
      const scanned: Record<string, AttributeValue>[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
        scanned.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return scanned
        .map((item) =>
          Object.fromEntries(Object.entries(item).map(([name, value]) => [name, value.S ?? JSON.stringify(value)])),
        )
        .sort((a, b) => {
          const [keyA, keyB] = [`${a.ownerUserID} ${a.otherUserID}`, `${b.ownerUserID} ${b.otherUserID}`];
          return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
        });
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
};
