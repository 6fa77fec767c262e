import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  checkBounded,
  checkOpenImAdminUserID,
  checkOpenImApiUrl,
  checkReconcileEventPace,
  checkReconcilePace,
  checkReconcileSchedule,
  DEFAULTS,
  SettingError,
} from '../../functions/contract/settings';

/** Reconciliation with OpenIM: what to read, how fast, how often. */
export interface ReconcilerOptions {
  /** OpenIM's API, e.g. `http://openim.internal:10002`: turns reconciliation on. */
  readonly openImApiUrl: string;
  /** An admin user ID of the reconciler's own, in OpenIM's share.yml. @default 'friendEventsReconciler' */
  readonly openImAdminUserID?: string;
  /** An existing secret holding share.yml's `secret`. @default a secret the stack creates, for you to fill */
  readonly adminSecret?: secretsmanager.ISecret;
  /** EventBridge Scheduler expression. @default 'rate(1 day)' */
  readonly schedule?: string;
  /** OpenIM API calls per second of a whole sweep, logins and retries included. @default 50 */
  readonly callsPerSecond?: number;
  /** Repair events a second of a whole sweep, kept well under the account's PutEvents quota. @default 100 */
  readonly eventsPerSecond?: number;
  /** Pages swept at once; they share the calls per second. @default 4 */
  readonly concurrency?: number;
  /** Differences in one sweep that raise the drift alarm. @default 1000 */
  readonly driftAlarmThreshold?: number;
  /** A sweep's time limit (whole hours); a crashed sweep's lock holds this long. @default 24 hours */
  readonly maxDuration?: Duration;
  /** For an OpenIM API that is not public: the functions that call it run in these subnets. */
  readonly vpc?: { vpc: ec2.IVpc; subnets: ec2.ISubnet[]; securityGroups?: ec2.ISecurityGroup[] };
}

export interface ReconcilerSettings {
  openImApiUrl: string;
  adminUserID: string;
  schedule: string;
  callsPerSecond: number;
  eventsPerSecond: number;
  concurrency: number;
  driftAlarmThreshold: number;
  maxHours: number;
}

/** Applies the defaults and checks every setting by the rules the functions apply at load. */
export const resolveReconcilerSettings = (options: ReconcilerOptions): ReconcilerSettings => {
  try {
    const callsPerSecond = options.callsPerSecond ?? DEFAULTS.reconcileCallsPerSecond;
    const concurrency = options.concurrency ?? DEFAULTS.reconcileConcurrency;
    checkReconcilePace(callsPerSecond, concurrency);
    const eventsPerSecond = options.eventsPerSecond ?? DEFAULTS.reconcileEventsPerSecond;
    checkReconcileEventPace(eventsPerSecond, concurrency);
    if (options.vpc && options.vpc.subnets.length === 0) {
      throw new SettingError('openImSubnetIds', 'expected at least one subnet for the VPC', []);
    }
    return {
      openImApiUrl: checkOpenImApiUrl(options.openImApiUrl),
      adminUserID: checkOpenImAdminUserID(options.openImAdminUserID ?? DEFAULTS.openImAdminUserID),
      schedule: checkReconcileSchedule(options.schedule ?? DEFAULTS.reconcileSchedule),
      callsPerSecond,
      eventsPerSecond,
      concurrency,
      driftAlarmThreshold: checkBounded(
        'reconcileDriftAlarmThreshold',
        options.driftAlarmThreshold ?? DEFAULTS.reconcileDriftAlarmThreshold,
      ),
      maxHours: checkBounded(
        'reconcileMaxHours',
        options.maxDuration?.toHours({ integral: false }) ?? DEFAULTS.reconcileMaxHours,
      ),
    };
  } catch (error) {
    if (error instanceof SettingError) throw new Error(`invalid Reconciler setting ${error.message}`, { cause: error });
    throw error;
  }
};

/** The reconciler's settings as `-c key=value` gives them: plain values, turned into constructs by the stack. */
export interface ReconcilerContext {
  openImApiUrl: string;
  openImAdminUserID?: string;
  adminSecretArn?: string;
  schedule?: string;
  callsPerSecond?: number;
  eventsPerSecond?: number;
  concurrency?: number;
  driftAlarmThreshold?: number;
  maxHours?: number;
  vpcId?: string;
  subnetIds?: string[];
  securityGroupIds?: string[];
}

export const RECONCILER_CONTEXT_KEYS = [
  'openImApiUrl',
  'openImAdminUserID',
  'openImAdminSecretArn',
  'openImVpcId',
  'openImSubnetIds',
  'openImSecurityGroupIds',
  'reconcileSchedule',
  'reconcileCallsPerSecond',
  'reconcileEventsPerSecond',
  'reconcileConcurrency',
  'reconcileDriftAlarmThreshold',
  'reconcileMaxHours',
] as const;

/**
 * Reads the reconciler's context keys; undefined when `openImApiUrl` is not set (reconciliation
 * off). Another reconciler key without it fails, naming the key, rather than being ignored.
 */
export const reconcilerContext = (read: {
  text(key: string): string | undefined;
  number(key: string): number | undefined;
}): ReconcilerContext | undefined => {
  const openImApiUrl = read.text('openImApiUrl');
  if (openImApiUrl === undefined) {
    const stray = RECONCILER_CONTEXT_KEYS.find((key) => read.text(key) !== undefined);
    if (stray)
      throw new SettingError(
        stray,
        'needs -c openImApiUrl=<OpenIM API URL>, which turns reconciliation on',
        read.text(stray),
      );
    return undefined;
  }
  const list = (key: string) =>
    read
      .text(key)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const adminSecretArn = read.text('openImAdminSecretArn');
  if (
    adminSecretArn !== undefined &&
    !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/.test(adminSecretArn)
  ) {
    throw new SettingError(
      'openImAdminSecretArn',
      'expected a Secrets Manager secret ARN (arn:aws:secretsmanager:...:secret:...)',
      adminSecretArn,
    );
  }
  const vpcId = read.text('openImVpcId');
  const subnetIds = list('openImSubnetIds');
  const securityGroupIds = list('openImSecurityGroupIds');
  if (vpcId !== undefined && !/^vpc-[0-9a-f]{8,17}$/.test(vpcId)) {
    throw new SettingError('openImVpcId', 'expected a VPC ID such as vpc-0123456789abcdef0', vpcId);
  }
  for (const [key, ids, prefix] of [
    ['openImSubnetIds', subnetIds, 'subnet'],
    ['openImSecurityGroupIds', securityGroupIds, 'sg'],
  ] as const) {
    const bad = ids?.find((id) => !new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id));
    if (bad !== undefined)
      throw new SettingError(key, `expected comma-separated IDs such as ${prefix}-0123456789abcdef0`, bad);
    if (ids !== undefined && vpcId === undefined)
      throw new SettingError(key, 'needs -c openImVpcId=<vpc-...>', ids.join(','));
  }
  if (vpcId !== undefined && (subnetIds === undefined || subnetIds.length === 0)) {
    throw new SettingError(
      'openImSubnetIds',
      'expected the subnets of openImVpcId the reconciler runs in (comma-separated)',
      '',
    );
  }
  const context: ReconcilerContext = {
    openImApiUrl,
    openImAdminUserID: read.text('openImAdminUserID'),
    adminSecretArn,
    schedule: read.text('reconcileSchedule'),
    callsPerSecond: read.number('reconcileCallsPerSecond'),
    eventsPerSecond: read.number('reconcileEventsPerSecond'),
    concurrency: read.number('reconcileConcurrency'),
    driftAlarmThreshold: read.number('reconcileDriftAlarmThreshold'),
    maxHours: read.number('reconcileMaxHours'),
    vpcId,
    subnetIds,
    securityGroupIds,
  };
  return Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined)) as ReconcilerContext;
};
