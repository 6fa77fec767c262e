import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { ADMIN_SECRET_PLACEHOLDER } from '../../contract/deployment';

export { ADMIN_SECRET_PLACEHOLDER };

/** The admin secret was never filled in: the sweep cannot log in, and retrying will not help. */
export class AdminSecretNotSet extends Error {
  override name = 'AdminSecretNotSet';
}

/**
 * Reads OpenIM's admin secret (`share.yml` `secret`) from Secrets Manager when a login needs it.
 * The value is never logged, and never part of an error message.
 */
export const adminSecretReader = (client: SecretsManagerClient, secretId: string) => async (): Promise<string> => {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const secret = SecretString?.trim() ?? '';
  if (secret === '' || secret === ADMIN_SECRET_PLACEHOLDER) {
    throw new AdminSecretNotSet(
      `the OpenIM admin secret in ${secretId} is not set: put share.yml's secret in it (aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '<secret>')`,
    );
  }
  return secret;
};
