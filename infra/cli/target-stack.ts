import { flag, regionOption, string } from '../cli-kit/cli-args';
import { CliError, useRegion } from '../cli-kit/cli-errors';
import { LOCAL_STACK_NAME, localAwsEndpoint, useLocalAws } from '../cli-kit/local-stack';

/**
 * `--local` (the stack `npm start` runs: LOCAL_AWS_PORT if set, else the endpoint it wrote to
 * `.local/endpoints.json`, else the default port) or
 * `--stack <name>` (a deployed one, with your AWS credentials): the same commands work on both.
 */
export const TARGET_OPTIONS = {
  local: flag(
    'the stack npm start runs (its loopback AWS endpoint: LOCAL_AWS_PORT if set, else the one npm start wrote to .local/endpoints.json)',
  ),
  stack: string('a deployed stack', { placeholder: 'name' }),
  region: regionOption(),
};

export interface Target {
  stackName: string;
  outputs: Record<string, string>;
  local: boolean;
}

export const resolveTarget = async (args: { local: boolean; stack?: string; region?: string }): Promise<Target> => {
  // Loaded here, not by the option specs above: a CLI's --help answers without the AWS SDK.
  const { stackOutputs } = await import('./stack-outputs');
  if (!args.local) {
    useRegion(args.region);
    const stackName = String(args.stack);
    return { stackName, outputs: await stackOutputs(stackName), local: false };
  }
  const endpoint = localAwsEndpoint();
  useLocalAws(endpoint);
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  delete process.env.AWS_PROFILE;
  try {
    return { stackName: LOCAL_STACK_NAME, outputs: await stackOutputs(LOCAL_STACK_NAME), local: true };
  } catch (error) {
    throw new CliError(
      `nothing answers at ${endpoint} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): run npm start first (it writes its endpoints to .local/endpoints.json, or LOCAL_ENDPOINTS_FILE), or set LOCAL_AWS_PORT to its port`,
    );
  }
};

/** An output the command needs, or the one line that says how to get it. */
export const requireTargetOutput = (target: Target, key: string, hint: string): string => {
  const value = target.outputs[key];
  if (!value) throw new CliError(`stack ${target.stackName} has no output ${key}: ${hint}`);
  return value;
};
