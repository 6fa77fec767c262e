/**
 * How a command reaches the stack `npm start` runs: its name, the port of its loopback AWS
 * endpoint, and how to point this process's AWS SDK at it. Shared by `infra/local/` (which serves
 * it) and `infra/cli/` (which talks to it), so neither imports the other.
 */

/** The name the local stack's outputs are listed under, as a deployed stack's are. */
export const LOCAL_STACK_NAME = 'local';

/** Where `npm start` serves the loopback AWS endpoint (`LOCAL_AWS_PORT`), so `npm run local:fail` finds it. */
export const DEFAULT_LOCAL_AWS_PORT = 8788;

/**
 * Points every AWS SDK client of this process at the loopback endpoint, as the functions under
 * `npm start` are: the SDK's own `AWS_ENDPOINT_URL`, fake static credentials, no instance metadata.
 */
export const useLocalAws = (endpoint: string): void => {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
};
