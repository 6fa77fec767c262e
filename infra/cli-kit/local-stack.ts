import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * How a command reaches the stack `npm start` runs: its name, the port of its loopback AWS
 * endpoint, the endpoints file a running `npm start` writes, and how to point this process's AWS
 * SDK at it. Shared by `infra/local/` (which serves it) and `infra/cli/` (which talks to it), so neither imports the other.
 */

/** The name the local stack's outputs are listed under, as a deployed stack's are. */
export const LOCAL_STACK_NAME = 'local';

/** Where `npm start` serves the loopback AWS endpoint (`LOCAL_AWS_PORT`), so `npm run local:fail` finds it. */
export const DEFAULT_LOCAL_AWS_PORT = 8788;

/** Where the local DynamoDB keeps its tables when it persists (`LOCAL_DYNAMODB_DIR`); `npm run local:reset` deletes it. */
export const DEFAULT_LOCAL_DYNAMODB_DIR = '.local/dynamodb';

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

/**
 * Where a running `npm start` says where it is: every CLI that talks to the local stack (`send`,
 * `local:fail`, `reconcile --local`, `graph --local`) reads this file first, so the commands the
 * banner prints work as printed on any port. Explicit flags and variables still win.
 */
export const DEFAULT_LOCAL_ENDPOINTS_FILE = '.local/endpoints.json';

export interface LocalEndpoints {
  /** The `npm start` process: a file whose process is gone is stale, and ignored. */
  pid: number;
  /** OpenIM's webhooks.yml `url`, with the token. */
  callbackUrl: string;
  /** The loopback AWS endpoint (EventBridge, SQS, Secrets Manager, DynamoDB, Step Functions). */
  awsEndpoint: string;
  /** The OpenIM API the reconciler reads: the stand-in's, or OPENIM_API_URL. */
  openImApiUrl: string;
  /** Whether `openImApiUrl` is the embedded stand-in (its data is reseeded at every start). */
  standIn: boolean;
  eventsFile: string;
  ports: { callback: number; aws: number; standIn?: number };
}

/** The endpoints file this process uses: LOCAL_ENDPOINTS_FILE, or the default under `.local/`. */
export const localEndpointsFile = (env: NodeJS.ProcessEnv = process.env): string =>
  resolve(env.LOCAL_ENDPOINTS_FILE || DEFAULT_LOCAL_ENDPOINTS_FILE);

export const writeLocalEndpoints = (file: string, endpoints: LocalEndpoints): void => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(endpoints, null, 2)}\n`);
};

/** Removes the file if it is still this process's (another `npm start` may have taken it over). */
export const removeLocalEndpoints = (file: string, pid = process.pid): void => {
  if (readEndpointsFile(file)?.pid === pid) rmSync(file, { force: true });
};

/** The endpoints of a running `npm start`, or undefined: no file, an unreadable one, or its process gone. */
export const readLocalEndpoints = (file = localEndpointsFile()): LocalEndpoints | undefined => {
  const endpoints = readEndpointsFile(file);
  return endpoints && isAlive(endpoints.pid) ? endpoints : undefined;
};

const readEndpointsFile = (file: string): LocalEndpoints | undefined => {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalEndpoints>;
    return typeof parsed.pid === 'number' && typeof parsed.awsEndpoint === 'string'
      ? (parsed as LocalEndpoints)
      : undefined;
  } catch {
    return undefined;
  }
};

/** Signal 0 tests that a process exists; EPERM means it does, under another user. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The running `npm start`'s loopback AWS endpoint: LOCAL_AWS_PORT wins, then its endpoints file, then the default port. */
export const localAwsEndpoint = (env: NodeJS.ProcessEnv = process.env): string => {
  if (env.LOCAL_AWS_PORT) return `http://127.0.0.1:${env.LOCAL_AWS_PORT}`;
  return readLocalEndpoints(localEndpointsFile(env))?.awsEndpoint ?? `http://127.0.0.1:${DEFAULT_LOCAL_AWS_PORT}`;
};
