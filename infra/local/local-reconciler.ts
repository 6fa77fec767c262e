import { ADMIN_SECRET_PLACEHOLDER } from '../../functions/adapters/aws/admin-secret';
import { FRIEND_GRAPH_SUBSCRIBER, NO_ADMIN_TOKEN } from '../../functions/contract/deployment';
import { friendEventPattern } from '../../functions/contract/rule-pattern';
import { LOCAL_STACK_NAME } from '../cli-kit/local-stack';
import { sweepDefinition, TASK_TIMEOUT_SECONDS } from '../construct/reconciler-definition';
import type { AwsEmulator } from './aws-emulator';
import { dynamoDbProxy } from './dynamodb-proxy';
import { parseEventPattern } from './event-pattern';
import { LocalRules } from './event-rules';
import { handlerPool } from './handler-pool';
import { lambdaContext } from './lambda-context';
import { LOCAL_GRAPH_TABLE, LOCAL_RECONCILER_TABLE, startLocalDynamoDb } from './local-dynamodb';
import { startOpenImStandIn } from './openim-api/stand-in';
import { LocalStepFunctions } from './step-functions';

/** The stack `npm start` runs, as `--local` CLIs find it (DescribeStacks on the loopback endpoint). */
export const LOCAL_ADMIN_SECRET_ID = 'openim-friend-events/openim-admin-secret';
/** The reconciler's own secret for the admin token, created holding no token as the stack creates it. */
const LOCAL_TOKEN_SECRET_ID = 'openim-friend-events/openim-admin-token';
const LOCAL_STATE_MACHINE = 'openim-friend-events-reconcile';
/** The stand-in's admin user and `share.yml` secret (OpenIM's defaults). */
const STAND_IN_ADMIN = { userID: 'imAdmin', secret: 'openIM123' };

export interface LocalReconcilerOptions {
  emulator: AwsEmulator;
  eventBusName: string;
  eventSource: string;
  /** Where the stand-in posts OpenIM's after-callbacks: the local callback URL. */
  callbackUrl: string;
  /** Where the local DynamoDB keeps its data; in memory when undefined. */
  dynamoDbDir: string | undefined;
  openIm: {
    /** A real OpenIM's API; the embedded stand-in when undefined. */
    apiUrl: string | undefined;
    adminUserID: string;
    adminSecret: string | undefined;
    callsPerSecond: number;
    standInPort: number;
    standInHost: string;
    seedFile: string | undefined;
  };
  concurrency: number;
  /** Replaces the sweep's retry backoff and the subscriber's retry delays (tests); real ones by default. */
  retryDelayMs?: number;
  /** An event the friend graph could not apply, after Lambda's retries. */
  onFailedEvent: (detailType: string, error: unknown) => void;
}

/**
 * The rest of the system, locally: a real DynamoDB (dynalite) behind the loopback endpoint, the
 * friend-graph subscriber fed by a rule on the local bus, and the reconciler's state machine (the
 * deployed definition, its Tasks run by the real handlers, the workers one instance per
 * concurrent part as Lambda scales) against the OpenIM API stand-in or a real OpenIM.
 * Call after the loopback AWS endpoint set the process environment.
 */
export const startLocalReconciler = async (options: LocalReconcilerOptions) => {
  const { emulator, openIm } = options;
  const dynamo = await startLocalDynamoDb(options.dynamoDbDir);
  emulator.serve('DynamoDB_20120810.', dynamoDbProxy(dynamo.endpoint));
  const standIn = openIm.apiUrl
    ? undefined
    : await startOpenImStandIn({
        port: openIm.standInPort,
        host: openIm.standInHost,
        ...(openIm.seedFile ? { seedFile: openIm.seedFile } : {}),
        adminUserIDs: [
          STAND_IN_ADMIN.userID,
          ...(openIm.adminUserID === STAND_IN_ADMIN.userID ? [] : [openIm.adminUserID]),
        ],
        adminSecret: STAND_IN_ADMIN.secret,
        callbackUrl: options.callbackUrl,
      }).catch(async (error: unknown) => {
        await dynamo.stop();
        throw error;
      });
  const apiUrl = openIm.apiUrl ?? standIn?.url ?? '';
  // Unset against a real OpenIM: a sweep then fails saying how to set it, as deployed.
  const secret = openIm.adminSecret ?? (standIn ? STAND_IN_ADMIN.secret : ADMIN_SECRET_PLACEHOLDER);
  emulator.secrets.set(LOCAL_ADMIN_SECRET_ID, { current: secret });
  emulator.secrets.set(LOCAL_TOKEN_SECRET_ID, { current: NO_ADMIN_TOKEN });
  Object.assign(process.env, {
    // The functions in this process talk to the local DynamoDB directly; other processes through the endpoint.
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    FRIEND_GRAPH_TABLE_NAME: LOCAL_GRAPH_TABLE,
    RECONCILER_TABLE_NAME: LOCAL_RECONCILER_TABLE,
    OPENIM_API_URL: apiUrl,
    OPENIM_ADMIN_USER_ID: openIm.adminUserID,
    OPENIM_ADMIN_SECRET_ID: LOCAL_ADMIN_SECRET_ID,
    OPENIM_TOKEN_SECRET_ID: LOCAL_TOKEN_SECRET_ID,
    RECONCILE_CALLS_PER_SECOND: String(openIm.callsPerSecond),
    RECONCILE_CONCURRENCY: String(options.concurrency),
    EVENT_SOURCE: options.eventSource,
    // Local traffic is all test traffic: the local graph applies npm run send's events too.
    FRIEND_GRAPH_INCLUDE_SYNTHETIC: 'true',
  });

  const rules = new LocalRules(
    options.retryDelayMs === undefined ? undefined : [options.retryDelayMs, options.retryDelayMs],
  );
  const { handler: friendGraph } = await import('../../functions/handlers/friend-graph');
  rules.add({
    name: 'FriendGraphRule',
    eventBusName: options.eventBusName,
    pattern: parseEventPattern(
      JSON.stringify(
        friendEventPattern({
          source: options.eventSource,
          includeSynthetic: true,
          snapshotsFor: FRIEND_GRAPH_SUBSCRIBER,
        }),
      ),
    ),
    target: (event) => friendGraph(event),
    onFailure: (event, error) => options.onFailedEvent(event['detail-type'], error),
  });
  emulator.onEvent(rules.deliver);

  const plan = await import('../../functions/handlers/reconcile-plan');
  const finish = await import('../../functions/handlers/reconcile-finish');
  const { createHandler: createWorker } = await import('../../functions/handlers/reconcile-worker');
  const workers = handlerPool(() => createWorker());
  const invoke =
    (name: string, timeoutSeconds: number, handler: (input: never, context: never) => Promise<unknown>) =>
    (input: unknown) =>
      handler(input as never, lambdaContext(`reconciler-${name}`, (timeoutSeconds - 60) * 1000) as never);
  const stepFunctions = new LocalStepFunctions();
  const stateMachineArn = stepFunctions.register(
    LOCAL_STATE_MACHINE,
    sweepDefinition({
      planFunction: localFunctionArn('plan'),
      workerFunction: localFunctionArn('worker'),
      finishFunction: localFunctionArn('finish'),
      concurrency: options.concurrency,
      timeoutSeconds: 24 * 3600,
    }),
    {
      Plan: invoke('plan', TASK_TIMEOUT_SECONDS.plan, plan.handler),
      SweepPage: invoke('worker', TASK_TIMEOUT_SECONDS.worker, workers.invoke),
      SweepSegment: invoke('worker', TASK_TIMEOUT_SECONDS.worker, workers.invoke),
      SnapshotPart: invoke('worker', TASK_TIMEOUT_SECONDS.worker, workers.invoke),
      Finish: invoke('finish', TASK_TIMEOUT_SECONDS.finish, finish.handler),
      FinishSnapshot: invoke('finish', TASK_TIMEOUT_SECONDS.finish, finish.handler),
      ReleaseAfterFailure: invoke('finish', TASK_TIMEOUT_SECONDS.finish, finish.handler),
    },
    options.retryDelayMs,
  );
  emulator.serve('AWSStepFunctions.', stepFunctions.serve);
  emulator.stacks.set(LOCAL_STACK_NAME, {
    EventBusName: options.eventBusName,
    FriendGraphTableName: LOCAL_GRAPH_TABLE,
    ReconcilerTableName: LOCAL_RECONCILER_TABLE,
    ReconcilerStateMachineArn: stateMachineArn,
    ReconcilerAdminSecretArn: LOCAL_ADMIN_SECRET_ID,
  });

  return {
    apiUrl,
    standIn,
    stateMachineArn,
    dynamoDbEndpoint: dynamo.endpoint,
    rules,
    stepFunctions,
    async stop() {
      stepFunctions.stopAll();
      await stepFunctions.settled();
      await rules.idle();
      await standIn?.close();
      await dynamo.stop();
    },
  };
};

const localFunctionArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:reconciler-${name}`;
