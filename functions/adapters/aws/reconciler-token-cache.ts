import { createHash } from 'node:crypto';
import { DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { LEGACY_TOKEN_KEY_PREFIX, RECONCILER_KEY } from '../../contract/deployment';
import type { CachedToken, TokenCache } from '../openim-api/ports';

/**
 * OpenIM's admin token between invocations and sweeps, so that a sweep logs in once instead of
 * once per worker run: on OpenIM main every login also starts the countdown on the admin ID's
 * earlier tokens. The token is full OpenIM admin for up to 90 days, so it is sealed: it lives in
 * a Secrets Manager secret of the reconciler's own, written (PutSecretValue) only on login, whose
 * resource policy lets only the reconciler's plan and worker roles read or write it; a read-only
 * role of the account cannot. The value names the API URL and admin user it was issued for: a
 * token of other settings is no token.
 *
 * Before, the token sat in plain text in the reconciler's table. That item is never read; each
 * save deletes it, so the first login after an upgrade removes it.
 */
export class ReconcilerTokenCache implements TokenCache {
  private readonly owner: string;
  private readonly legacyKey: Record<string, { S: string }>;

  constructor(
    private readonly clients: { secrets: SecretsManagerClient; dynamo: DynamoDBClient },
    private readonly where: { secretId: string; tableName: string },
    apiUrl: string,
    adminUserID: string,
  ) {
    this.owner = createHash('sha256')
      .update(JSON.stringify([apiUrl, adminUserID]))
      .digest('hex');
    this.legacyKey = {
      [RECONCILER_KEY.partitionKey]: { S: `${LEGACY_TOKEN_KEY_PREFIX}${this.owner}` },
      [RECONCILER_KEY.sortKey]: { S: 'token' },
    };
  }

  async load(): Promise<CachedToken | undefined> {
    const { SecretString } = await this.clients.secrets.send(
      new GetSecretValueCommand({ SecretId: this.where.secretId }),
    );
    return this.parse(SecretString);
  }

  async save(token: CachedToken): Promise<void> {
    const value: StoredToken = { owner: this.owner, token: token.token, expiresAtMs: token.expiresAtMs };
    await this.clients.secrets.send(
      new PutSecretValueCommand({ SecretId: this.where.secretId, SecretString: JSON.stringify(value) }),
    );
    await this.clients.dynamo.send(new DeleteItemCommand({ TableName: this.where.tableName, Key: this.legacyKey }));
  }

  /** The stack creates the secret holding NO_ADMIN_TOKEN: that, or anything not written by `save` for these settings, is no token. */
  private parse(text: string | undefined): CachedToken | undefined {
    let value: Partial<StoredToken>;
    try {
      value = JSON.parse(text ?? '') as Partial<StoredToken>;
    } catch {
      return undefined;
    }
    const { owner, token, expiresAtMs } = value ?? {};
    if (owner !== this.owner || typeof token !== 'string' || token === '') return undefined;
    return typeof expiresAtMs === 'number' && Number.isFinite(expiresAtMs) ? { token, expiresAtMs } : undefined;
  }
}

/** The secret's value. */
interface StoredToken {
  /** A hash of the API URL and admin user the token was issued for. */
  owner: string;
  token: string;
  expiresAtMs: number;
}
