import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireOutput } from './stack-outputs';

/**
 * A deployed stack's callback URL, with its secret token read using the caller's own AWS
 * credentials (the token is never a stack output): what `npm run callback-url` prints and
 * `npm run send -- --stack` sends to.
 */
export const callbackUrlOfStack = async (outputs: Record<string, string>, stackName: string): Promise<string> => {
  const baseUrl = requireOutput(outputs, 'CallbackBaseUrl', stackName);
  const secretArn = requireOutput(outputs, 'TokenSecretArn', stackName);
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  return `${baseUrl}/${SecretString?.trim() ?? ''}`;
};
