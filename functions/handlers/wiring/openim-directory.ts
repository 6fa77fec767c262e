import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { adminSecretReader } from '../../adapters/aws/admin-secret';
import { ReconcilerTokenCache } from '../../adapters/aws/reconciler-token-cache';
import { createOpenImDirectory } from '../../adapters/openim-api/directory';
import type { CallObservation, OpenImDirectory } from '../../reconcile/openim-directory';
import type { ReconcilerConfig } from '../../reconcile/pace';

/**
 * OpenIM's admin client as a reconciler function uses it: this instance's share of the pace, the
 * secret read from Secrets Manager only when a login is needed, and the token kept between runs
 * in the reconciler's own token secret.
 */
export const openImDirectory = (
  config: ReconcilerConfig,
  pace: { callsPerSecond: number; maxConcurrentCalls: number },
  clients: { dynamo: DynamoDBClient; secrets: SecretsManagerClient },
  onCall: (call: CallObservation) => void,
): OpenImDirectory =>
  createOpenImDirectory({
    apiUrl: config.openImApiUrl,
    adminUserID: config.adminUserID,
    adminSecret: adminSecretReader(clients.secrets, config.adminSecretId),
    callsPerSecond: pace.callsPerSecond,
    maxConcurrentCalls: pace.maxConcurrentCalls,
    tokenCache: new ReconcilerTokenCache(
      clients,
      { secretId: config.tokenSecretId, tableName: config.tableName },
      config.openImApiUrl,
      config.adminUserID,
    ),
    onCall,
  });
