import { loadReconcilerConfig, loadWorkerTargets } from '../../../functions/handlers/wiring/environment';
import { workerEventsPerSecond, workerPace } from '../../../functions/reconcile/pace';

const env = {
  OPENIM_API_URL: 'http://openim:10002/',
  OPENIM_ADMIN_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:admin',
  OPENIM_TOKEN_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:token',
  RECONCILER_TABLE_NAME: 'reconciler',
};

describe("the reconciler functions' environment", () => {
  it('applies the defaults of settings.ts and the same rules as cdk synth', () => {
    expect(loadReconcilerConfig(env)).toEqual({
      openImApiUrl: 'http://openim:10002',
      adminUserID: 'friendEventsReconciler',
      adminSecretId: env.OPENIM_ADMIN_SECRET_ID,
      tokenSecretId: env.OPENIM_TOKEN_SECRET_ID,
      callsPerSecond: 50,
      eventsPerSecond: 100,
      concurrency: 4,
      maxHours: 24,
      tableName: 'reconciler',
    });
  });

  it.each([
    [{ OPENIM_API_URL: undefined }, /OPENIM_API_URL is required/],
    [{ OPENIM_ADMIN_SECRET_ID: '' }, /OPENIM_ADMIN_SECRET_ID is required/],
    [{ OPENIM_TOKEN_SECRET_ID: undefined }, /OPENIM_TOKEN_SECRET_ID is required/],
    [{ RECONCILE_CALLS_PER_SECOND: 'fast' }, /RECONCILE_CALLS_PER_SECOND must be a whole number, got "fast"/],
    [
      { RECONCILE_CONCURRENCY: '9', RECONCILE_CALLS_PER_SECOND: '8' },
      /reconcileConcurrency: expected at most reconcileCallsPerSecond \(8\)/,
    ],
    [{ OPENIM_API_URL: 'ftp://openim' }, /openImApiUrl/],
    [{ RECONCILE_MAX_HOURS: '0' }, /reconcileMaxHours/],
    [{ RECONCILE_EVENTS_PER_SECOND: '0' }, /reconcileEventsPerSecond: expected a whole number from 1 to 10000/],
    [
      { RECONCILE_EVENTS_PER_SECOND: '3', RECONCILE_CONCURRENCY: '4' },
      /reconcileEventsPerSecond: expected at least reconcileConcurrency \(4\)/,
    ],
  ])('refuses %o, naming what is wrong', (overrides, message) => {
    expect(() => loadReconcilerConfig({ ...env, ...overrides })).toThrow(message);
  });

  it("needs the worker's graph table, bus and final dead-letter queue", () => {
    expect(() => loadWorkerTargets({})).toThrow(/FRIEND_GRAPH_TABLE_NAME is required/);
    expect(() => loadWorkerTargets({ FRIEND_GRAPH_TABLE_NAME: 'g', EVENT_BUS_NAME: 'b' })).toThrow(
      /DEAD_LETTER_QUEUE_URL is required/,
    );
    expect(
      loadWorkerTargets({ FRIEND_GRAPH_TABLE_NAME: 'g', EVENT_BUS_NAME: 'b', DEAD_LETTER_QUEUE_URL: 'q' }),
    ).toEqual({
      graphTableName: 'g',
      eventBusName: 'b',
      deadLetterQueueUrl: 'q',
      eventSource: 'openim',
    });
  });
});

describe("a worker's pace", () => {
  it("puts its share of the sweep's repair events per second", () => {
    expect(workerEventsPerSecond({ eventsPerSecond: 100, concurrency: 4 })).toBe(25);
    expect(workerEventsPerSecond(loadReconcilerConfig({ ...env, RECONCILE_EVENTS_PER_SECOND: '30' }))).toBe(7.5);
  });

  it('is its share of the calls per second, a few users in flight, and about ten seconds per checkpoint', () => {
    expect(workerPace({ callsPerSecond: 50, concurrency: 4 })).toEqual({
      callsPerSecond: 12.5,
      usersInFlight: 2,
      chunkSize: 25,
    });
    expect(workerPace({ callsPerSecond: 2, concurrency: 2 })).toEqual({
      callsPerSecond: 1,
      usersInFlight: 1,
      chunkSize: 5,
    });
    expect(workerPace({ callsPerSecond: 5_000, concurrency: 1 })).toEqual({
      callsPerSecond: 5_000,
      usersInFlight: 16,
      chunkSize: 25,
    });
  });
});
