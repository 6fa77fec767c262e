import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cliArgs } from './cli-args';
import { requireOutput, stackOutputs } from './stack-outputs';

/**
 * `npm run callback-url -- --stack OpenImFriendEvents`: prints the URL to paste into OpenIM's
 * webhook config, with the secret token read using your own AWS credentials. The token is never
 * a stack output, so this is the one place it is shown.
 */
const USAGE = 'npm run callback-url -- --stack <name> [--yaml]';
const args = cliArgs({ stack: { type: 'string', default: 'OpenImFriendEvents' }, yaml: { type: 'boolean' } }, USAGE);
const stack = args.stack ?? 'OpenImFriendEvents';

const outputs = await stackOutputs(stack);
const baseUrl = requireOutput(outputs, 'CallbackBaseUrl', stack);
const secretArn = requireOutput(outputs, 'TokenSecretArn', stack);
const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
const url = `${baseUrl}/${SecretString?.trim() ?? ''}`;

if (args.yaml) {
  console.log(`# config/webhooks.yml (OpenIM v3.7+); restart the friend service afterwards
url: ${url}
afterAddFriend:      { enable: true, timeout: 5 }
afterAddFriendAgree: { enable: true, timeout: 5 }   # v3.8.1+
afterImportFriends:  { enable: true, timeout: 5 }`);
} else {
  console.log(url);
}
