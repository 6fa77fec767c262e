import { resolve } from 'node:path';
import {
  checkOpenImAdminUserID,
  checkOpenImApiUrl,
  checkReconcilePace,
  DEFAULTS,
  SettingError,
} from '../../functions/contract/settings';
import { CliError } from '../cli-kit/cli-errors';
import { DEFAULT_LOCAL_DYNAMODB_DIR } from '../cli-kit/local-stack';

/**
 * What `npm start` reads from its environment for the friend graph and the reconciler. The
 * stand-in's port is none that OpenIM takes by default (its API is 10002), so `npm start` runs
 * beside a local OpenIM.
 */
export const DEFAULT_STAND_IN_PORT = 10_302;
export const DEFAULT_SEED_FILE = 'infra/local/openim-api/seed.example.json';

/** The stand-in's admin, as `npm start` prints it. */
const STAND_IN_ADMIN_USER = 'imAdmin';

const usage = (variable: string, message: string) => new CliError(`${variable}: ${message}`, 2);

const checked = <T>(variable: string, check: () => T): T => {
  try {
    return check();
  } catch (error) {
    if (error instanceof SettingError) throw usage(variable, error.message.replace(/^\w+: /, ''));
    throw error;
  }
};

const wholeNumber = (env: NodeJS.ProcessEnv, variable: string, fallback: number): number => {
  const text = env[variable];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw usage(variable, `expected a whole number, got "${text}"`);
  return Number(text);
};

export const reconcilerEnvironment = (env: NodeJS.ProcessEnv) => {
  const apiUrl = env.OPENIM_API_URL
    ? checked('OPENIM_API_URL', () => checkOpenImApiUrl(String(env.OPENIM_API_URL)))
    : undefined;
  const callsPerSecond = wholeNumber(env, 'OPENIM_API_CALLS_PER_SECOND', DEFAULTS.reconcileCallsPerSecond);
  const concurrency = Math.min(DEFAULTS.reconcileConcurrency, callsPerSecond);
  checked('OPENIM_API_CALLS_PER_SECOND', () => checkReconcilePace(callsPerSecond, Math.max(1, concurrency)));
  const standInPort = wholeNumber(env, 'OPENIM_STANDIN_PORT', DEFAULT_STAND_IN_PORT);
  if (standInPort > 65_535)
    throw usage('OPENIM_STANDIN_PORT', `expected a port number from 0 to 65535, got ${standInPort}`);
  // The stand-in is reseeded at every start: the graph and the reconciler's state start over with
  // it, or the first sweep would "repair" the graph back to the seed. A real OpenIM keeps its data.
  const dir = env.LOCAL_DYNAMODB_DIR || (apiUrl ? DEFAULT_LOCAL_DYNAMODB_DIR : 'memory');
  return {
    dynamoDbDir: dir === 'memory' ? undefined : resolve(dir),
    concurrency,
    openIm: {
      apiUrl,
      adminUserID: checked('OPENIM_ADMIN_USER_ID', () =>
        checkOpenImAdminUserID(env.OPENIM_ADMIN_USER_ID ?? DEFAULTS.openImAdminUserID),
      ),
      adminSecret: env.OPENIM_ADMIN_SECRET || undefined,
      callsPerSecond,
      standInPort,
      // Not HOST: the callback server opens to a container, the stand-in (known secret, control
      // routes without a token) stays on loopback unless asked.
      standInHost: env.OPENIM_STANDIN_HOST || '127.0.0.1',
      seedFile: apiUrl ? undefined : (env.OPENIM_SEED_FILE ?? DEFAULT_SEED_FILE),
    },
  };
};

export type ReconcilerEnvironment = ReturnType<typeof reconcilerEnvironment>;

/** The lines `npm start` prints about the friend graph and the reconciler (never the admin secret). */
export const reconcilerBanner = (
  reconciler: { apiUrl: string; standIn: unknown },
  settings: ReconcilerEnvironment,
  npm: string,
): string => {
  const against = reconciler.standIn
    ? `the OpenIM API stand-in at ${reconciler.apiUrl} as ${settings.openIm.adminUserID} (seeded from ${settings.openIm.seedFile};\n    its admin for your own calls: ${STAND_IN_ADMIN_USER} / openIM123; its writes post OpenIM's callbacks here,\n    and POST ${reconciler.apiUrl}/_standin/drop_webhooks loses the next ones on the way)`
    : `OpenIM at ${reconciler.apiUrl} as ${settings.openIm.adminUserID}`;
  const where = settings.dynamoDbDir
    ? ` under ${settings.dynamoDbDir}`
    : ` (in memory${reconciler.standIn ? ', starting over with the stand-in at every start' : ''})`;
  return `  Friend graph (reference subscriber) in the local DynamoDB${where}
  Reconciler, at ${settings.openIm.callsPerSecond} calls/s, against ${against}
    ${npm} run reconcile -- --local           one sweep, with its summary
    ${npm} run graph -- --local --user <id>   what the friend graph holds for a user`;
};
