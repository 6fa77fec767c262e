import { ENGINE_ERRORS } from '../../functions/contract/deployment';
import { SNAPSHOT_REQUEST_INVALID } from '../../functions/reconcile/snapshot-request';

/**
 * The sweep's state machine (Amazon States Language), as plain data: the CDK construct deploys it
 * with the functions' ARNs, and `npm start` runs the same definition locally with the real
 * handlers. Every Task invokes a Lambda function, so nothing in it needs AWS to run.
 *
 * Plan (lock, pages) -> locked? -> SweepPages (Distributed Map over pages of users, one worker
 * loop per page) -> SweepOrphans (the same over segments of the graph) -> Finish (summary,
 * metrics, lock released). Any step that still fails after its retries is caught: the lock is
 * released and the execution fails (which alarms).
 *
 * An input `{ "snapshot": { "for": "<subscriber>", "users": [...] } }` makes the execution a
 * snapshot: the same Plan (the same lock) lists its parts, SnapshotUsers (the same Map and
 * worker at the same pace) sends each owner's lists, and FinishSnapshot publishes
 * `FriendSnapshotCompleted` once every part is done, then releases the lock.
 */
export interface SweepDefinitionProps {
  planFunction: string;
  workerFunction: string;
  finishFunction: string;
  /** Parts at once (each Map's MaxConcurrency): the workers share the sweep's calls per second. */
  concurrency: number;
  /** The sweep's time limit; the lock of a sweep that died expires after the same time. */
  timeoutSeconds: number;
}

/** Task timeouts: above each function's own limit, so a function always ends before its Task times out. */
export const TASK_TIMEOUT_SECONDS = { plan: 120, worker: 960, finish: 120 } as const;

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Retries of a step that reads OpenIM: never for a refusal, patiently while OpenIM is unreachable. */
export const OPENIM_RETRY = [
  { ErrorEquals: [ENGINE_ERRORS.openImRefused, ENGINE_ERRORS.adminSecretNotSet], MaxAttempts: 0 },
  {
    ErrorEquals: [ENGINE_ERRORS.openImUnavailable],
    IntervalSeconds: 10,
    BackoffRate: 2,
    MaxAttempts: 6,
    MaxDelaySeconds: 300,
    JitterStrategy: 'FULL',
  },
  ...lambdaRetry(),
];

/** Lambda's own hiccups (throttled, service errors) and anything else (DynamoDB, EventBridge) a few times. */
function lambdaRetry() {
  return [
    {
      ErrorEquals: LAMBDA_SERVICE_ERRORS,
      IntervalSeconds: 2,
      BackoffRate: 2,
      MaxAttempts: 6,
      MaxDelaySeconds: 60,
      JitterStrategy: 'FULL',
    },
    { ErrorEquals: ['States.ALL'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' },
  ];
}

const caught = { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ReleaseAfterFailure' };

/** A Distributed Map that runs the worker over `itemsPath`, looping on a part until it says it is done. */
const partsMap = (
  props: SweepDefinitionProps,
  names: { map: string; part: string; done: string; swept: string },
  itemsPath: string,
  itemSelector: Record<string, unknown>,
  next: string,
) => ({
  Type: 'Map',
  Label: names.map,
  ItemsPath: itemsPath,
  ItemSelector: itemSelector,
  MaxConcurrency: props.concurrency,
  ToleratedFailurePercentage: 0,
  ItemProcessor: {
    // Standard child executions: a page may take longer than an Express execution's 5 minutes.
    ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    StartAt: names.part,
    States: {
      [names.part]: {
        Type: 'Task',
        Resource: props.workerFunction,
        TimeoutSeconds: TASK_TIMEOUT_SECONDS.worker,
        ResultPath: '$.result',
        Retry: OPENIM_RETRY,
        Next: names.done,
      },
      [names.done]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.result.done', BooleanEquals: true, Next: names.swept }],
        // Out of time in that invocation: go on from its checkpoint in a new one.
        Default: names.part,
      },
      [names.swept]: { Type: 'Succeed' },
    },
  },
  // The parts' results are not needed (they are in the sweep's record), and would grow with the pages.
  ResultPath: null,
  Catch: [caught],
  Next: next,
});

export const sweepDefinition = (props: SweepDefinitionProps) => ({
  Comment: 'openim-friend-events: one reconciliation sweep of OpenIM friend and black lists against the friend graph',
  TimeoutSeconds: props.timeoutSeconds,
  StartAt: 'Plan',
  States: {
    Plan: {
      Type: 'Task',
      Resource: props.planFunction,
      Parameters: { 'sweepID.$': '$$.Execution.Name', 'input.$': '$' },
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.plan,
      // A snapshot request that is not valid fails at once: no retry can mend it.
      Retry: [{ ErrorEquals: [SNAPSHOT_REQUEST_INVALID], MaxAttempts: 0 }, ...OPENIM_RETRY],
      Catch: [caught],
      Next: 'Locked',
    },
    Locked: {
      Type: 'Choice',
      Choices: [{ Variable: '$.locked', BooleanEquals: false, Next: 'AnotherSweepRunning' }],
      Default: 'SweepOrSnapshot',
    },
    AnotherSweepRunning: {
      Type: 'Succeed',
      Comment: 'Two sweeps (or snapshots, or one of each) never run at once: this one did nothing',
    },
    SweepOrSnapshot: {
      Type: 'Choice',
      Choices: [{ Variable: '$.snapshot', IsPresent: true, Next: 'SnapshotUsers' }],
      Default: 'SweepPages',
    },
    SnapshotUsers: partsMap(
      props,
      { map: 'SnapshotUsers', part: 'SnapshotPart', done: 'SnapshotPartDone', swept: 'SnapshotPartSent' },
      '$.snapshotParts',
      {
        kind: 'snapshot',
        'sweepID.$': '$.sweepID',
        'snapshot.$': '$.snapshot',
        'select.$': '$$.Map.Item.Value',
      },
      'FinishSnapshot',
    ),
    FinishSnapshot: {
      Type: 'Task',
      Resource: props.finishFunction,
      Parameters: { 'sweepID.$': '$.sweepID', 'snapshot.$': '$.snapshot' },
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.finish,
      Retry: lambdaRetry(),
      Catch: [caught],
      End: true,
    },
    SweepPages: partsMap(
      props,
      { map: 'SweepPages', part: 'SweepPage', done: 'PageDone', swept: 'PageSwept' },
      '$.pages',
      {
        kind: 'page',
        'sweepID.$': '$.sweepID',
        'pageNumber.$': '$$.Map.Item.Value',
        'pageSize.$': '$.pageSize',
      },
      'SweepOrphans',
    ),
    SweepOrphans: partsMap(
      props,
      { map: 'SweepOrphans', part: 'SweepSegment', done: 'SegmentDone', swept: 'SegmentSwept' },
      '$.segments',
      {
        kind: 'orphans',
        'sweepID.$': '$.sweepID',
        'segment.$': '$$.Map.Item.Value',
        'totalSegments.$': '$.totalSegments',
      },
      'Finish',
    ),
    Finish: {
      Type: 'Task',
      Resource: props.finishFunction,
      Parameters: { 'sweepID.$': '$.sweepID' },
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.finish,
      Retry: lambdaRetry(),
      Catch: [caught],
      End: true,
    },
    ReleaseAfterFailure: {
      Type: 'Task',
      Resource: props.finishFunction,
      Parameters: { 'sweepID.$': '$$.Execution.Name', 'failure.$': '$.failure' },
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.finish,
      Retry: lambdaRetry(),
      ResultPath: '$.summary',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.releaseFailure', Next: 'SweepFailed' }],
      Next: 'SweepFailed',
    },
    SweepFailed: {
      Type: 'Fail',
      Comment: 'The lock is released; the sweep record and the logs say why (docs/runbook.md)',
      ErrorPath: '$.failure.Error',
      CausePath: '$.failure.Cause',
    },
  },
});
