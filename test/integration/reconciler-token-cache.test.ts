import { createHash } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReconcilerTokenCache } from '../../functions/adapters/aws/reconciler-token-cache';
import { NO_ADMIN_TOKEN } from '../../functions/contract/deployment';
import { AwsEmulator } from '../../infra/local/aws-emulator';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';

/** The admin token cache against the loopback Secrets Manager and dynalite, through the real SDK. */
let emulator: AwsEmulator;
let dynamo: LocalDynamoDb;
let secrets: SecretsManagerClient;
beforeAll(async () => {
  emulator = new AwsEmulator();
  secrets = new SecretsManagerClient({ endpoint: await emulator.start() });
  dynamo = await startLocalDynamoDb();
});
afterAll(async () => {
  secrets.destroy();
  await Promise.all([emulator.stop(), dynamo.stop()]);
});

const API_URL = 'http://openim.internal:10002';
let secretsMade = 0;
/** A token secret as the stack creates it, and a reconciler table. */
const fresh = async () => {
  const secretId = `token-${++secretsMade}`;
  emulator.secrets.set(secretId, { current: NO_ADMIN_TOKEN });
  const tableName = await dynamo.createReconcilerTable();
  const cache = (apiUrl = API_URL, adminUserID = 'reconciler') =>
    new ReconcilerTokenCache({ secrets, dynamo: dynamo.client }, { secretId, tableName }, apiUrl, adminUserID);
  return { secretId, tableName, cache };
};

describe("the reconciler's admin token cache", () => {
  it('holds no token as the stack creates it, then the token of the last login', async () => {
    const { secretId, cache } = await fresh();
    expect(await cache().load()).toBeUndefined();
    await cache().save({ token: 'first.jwt.token', expiresAtMs: 1_000 });
    await cache().save({ token: 'second.jwt.token', expiresAtMs: 2_000 });
    expect(await cache().load()).toEqual({ token: 'second.jwt.token', expiresAtMs: 2_000 });
    const writes = emulator.requests.filter(
      (request) => request.operation === 'PutSecretValue' && request.body.SecretId === secretId,
    );
    expect(writes).toHaveLength(2);
  });

  it('takes no token saved for another OpenIM or admin user', async () => {
    const { cache } = await fresh();
    await cache().save({ token: 'a.jwt.token', expiresAtMs: 1_000 });
    expect(await cache('http://other-openim:10002').load()).toBeUndefined();
    expect(await cache(API_URL, 'imAdmin').load()).toBeUndefined();
  });

  it.each(['', 'not json', 'null', '[]', '{"owner":1}', 'set-this-to-a-value'])(
    'reads a value it did not write (%j) as no token',
    async (value) => {
      const { secretId, cache } = await fresh();
      emulator.secrets.set(secretId, { current: value });
      expect(await cache().load()).toBeUndefined();
    },
  );

  it('never reads the plain-text token of earlier versions from the table, and deletes it on login', async () => {
    const { tableName, cache } = await fresh();
    // The item as the earlier cache wrote it: key token#sha256([apiUrl, adminUserID]).
    const id = createHash('sha256')
      .update(JSON.stringify([API_URL, 'reconciler']))
      .digest('hex');
    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: `token#${id}` },
          sk: { S: 'token' },
          token: { S: 'plain.text.token' },
          expiresAtMs: { N: String(Date.UTC(2030, 0, 1)) },
        },
      }),
    );
    expect(await cache().load()).toBeUndefined();
    await cache().save({ token: 'sealed.jwt.token', expiresAtMs: 1_000 });
    expect(await dynamo.items(tableName)).toEqual([]);
  });

  it('fails loudly when its secret is missing (the stack creates it)', async () => {
    const { tableName } = await fresh();
    const lost = new ReconcilerTokenCache(
      { secrets, dynamo: dynamo.client },
      { secretId: 'no-such-secret', tableName },
      API_URL,
      'reconciler',
    );
    await expect(lost.load()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(lost.save({ token: 't', expiresAtMs: 1 })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
