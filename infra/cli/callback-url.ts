import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CALLBACK_DETAIL_TYPES, type CallbackDetailType } from '../../functions/contract/events';
import { DEFAULTS } from '../../functions/contract/settings';
import { cliArgs, EXIT, flag, regionOption, string } from './cli-args';
import { runMain, useRegion } from './cli-errors';
import { requireOutput, stackOutputs } from './stack-outputs';

/**
 * `npm run callback-url -- --stack OpenImFriendEvents`: prints the URL to paste into OpenIM's
 * webhook config, with the secret token read using your own AWS credentials. The token is never
 * a stack output, so this is the one place it is shown.
 */
const args = cliArgs({
  usage: 'npm run callback-url -- [--stack <name>] [--yaml] [--region <region>]',
  description: "Prints the callback URL (with its secret token) to paste into OpenIM's webhooks config.",
  options: {
    stack: string('the deployed stack', { placeholder: 'name', default: DEFAULTS.stackName }),
    yaml: flag('print the lines of config/webhooks.yml (OpenIM v3.7+) instead of the bare URL'),
    region: regionOption(),
  },
});
useRegion(args.region);

/** Callbacks that older servers never send. */
const SINCE: Partial<Record<CallbackDetailType, string>> = {
  AfterAddFriendAgree: 'v3.8.1+',
  AfterRemoveBlack: 'fires from v3.8.1',
};

await runMain(async () => {
  const outputs = await stackOutputs(args.stack);
  const baseUrl = requireOutput(outputs, 'CallbackBaseUrl', args.stack);
  const secretArn = requireOutput(outputs, 'TokenSecretArn', args.stack);
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  const url = `${baseUrl}/${SecretString?.trim() ?? ''}`;
  if (args.yaml) {
    console.log(`# config/webhooks.yml (OpenIM v3.7+); restart the friend service afterwards\nurl: ${url}`);
    // The detail-types are named after these keys: one line per callback this endpoint handles.
    for (const detailType of CALLBACK_DETAIL_TYPES) {
      const key = `${detailType.charAt(0).toLowerCase()}${detailType.slice(1)}:`;
      const note = SINCE[detailType] ? `   # ${SINCE[detailType]}` : '';
      console.log(`${key.padEnd(22)}{ enable: true, timeout: 5 }${note}`);
    }
  } else {
    console.log(url);
  }
  return EXIT.ok;
});
