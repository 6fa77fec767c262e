import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureTables } from './local-tables';

export const LOCAL_GRAPH_TABLE = 'openim-friend-events-friend-graph';
export const LOCAL_RECONCILER_TABLE = 'openim-friend-events-reconciler';

/**
 * A real DynamoDB implementation (dynalite) on a loopback port, kept on disk under `dir` so the
 * friend graph and the reconciler's state survive a restart of `npm start` (in memory without a
 * `dir`), with the product's two tables created if they are missing.
 */
export const startLocalDynamoDb = async (dir: string | undefined) => {
  if (dir) mkdirSync(dir, { recursive: true });
  const server = dynalite({ ...(dir ? { path: dir } : {}), createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint });
  await ensureTables(client, { friendGraph: LOCAL_GRAPH_TABLE, reconciler: LOCAL_RECONCILER_TABLE });
  client.destroy();
  return {
    endpoint,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
