import { CALLBACK_DETAIL_TYPES, type CallbackDetailType } from '../../functions/contract/events';
import { DEFAULTS } from '../../functions/contract/settings';
import { cliArgs, EXIT, EXIT_MEANING, flag, regionOption, string } from '../cli-kit/cli-args';
import { runMain, useRegion } from '../cli-kit/cli-errors';

/**
 * `npm run callback-url -- --stack OpenImFriendEvents`: prints the URL to paste into OpenIM's
 * webhook config, with the secret token read using your own AWS credentials. The token is never
 * a stack output, so this is the one place it is shown.
 */
const args = await cliArgs({
  usage: 'npm run callback-url -- [--stack <name>] [--yaml] [--region <region>]',
  description: "Prints the callback URL (with its secret token) to paste into OpenIM's webhooks config.",
  options: {
    stack: string('the deployed stack', { placeholder: 'name', default: DEFAULTS.stackName }),
    yaml: flag('print the lines of config/webhooks.yml (OpenIM v3.7+) instead of the bare URL'),
    region: regionOption(),
  },
  exitCodes: { 0: 'printed', 2: EXIT_MEANING.usage, 3: EXIT_MEANING.aws },
});
useRegion(args.region);

/** Callbacks that older servers never send. */
const SINCE: Partial<Record<CallbackDetailType, string>> = {
  AfterAddFriendAgree: 'v3.8.1+',
  AfterRemoveBlack: 'fires from v3.8.1',
};

await runMain(async () => {
  // Loaded here: --help and a usage error answer without the AWS SDK.
  const [{ callbackUrlOfStack }, { stackOutputs }] = await Promise.all([
    import('./stack-callback-url'),
    import('./stack-outputs'),
  ]);
  const url = await callbackUrlOfStack(await stackOutputs(args.stack), args.stack);
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
