import { createHash } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CachedToken, TokenCache } from '../openim-api/ports';
import { RECONCILER_KEY, RECONCILER_TTL_ATTRIBUTE } from './reconciler-table';

/**
 * OpenIM's admin token between invocations and sweeps, in the reconciler's table (encrypted at
 * rest; only the reconciler's role reads it), so a sweep logs in once instead of once per worker
 * run: on OpenIM main every login also starts the countdown on the admin ID's earlier tokens.
 * Keyed by API URL and admin user; DynamoDB deletes it once it has expired.
 */
export class ReconcilerTokenCache implements TokenCache {
  private readonly key: Record<string, { S: string }>;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    apiUrl: string,
    adminUserID: string,
  ) {
    const id = createHash('sha256')
      .update(JSON.stringify([apiUrl, adminUserID]))
      .digest('hex');
    this.key = { [RECONCILER_KEY.partitionKey]: { S: `token#${id}` }, [RECONCILER_KEY.sortKey]: { S: 'token' } };
  }

  async load(): Promise<CachedToken | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key }));
    const token = Item?.token?.S;
    const expiresAtMs = Number(Item?.expiresAtMs?.N);
    return token && Number.isFinite(expiresAtMs) ? { token, expiresAtMs } : undefined;
  }

  async save(token: CachedToken): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...this.key,
          token: { S: token.token },
          expiresAtMs: { N: String(token.expiresAtMs) },
          [RECONCILER_TTL_ATTRIBUTE]: { N: String(Math.ceil(token.expiresAtMs / 1000)) },
        },
      }),
    );
  }
}
