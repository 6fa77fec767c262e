import { Template } from 'aws-cdk-lib/assertions';
import { ERR_CODE_DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contract/metrics';
import {
  addFriendBody,
  captureOutput,
  type Harness,
  httpApiEvent,
  invoke,
  startHarness,
  TEST_SETTINGS,
  TOKEN,
} from '../helpers/harness';
import { synthStack } from '../helpers/synth';

/**
 * The logs and EMF metrics the function really writes (Powertools), per outcome, and the
 * alarms and dashboard of the stack checked against them: an alarm on a metric nobody emits
 * can never fire.
 */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(TEST_SETTINGS);
});
afterAll(() => harness.stop());

interface Emf {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

/** Runs one callback with logs at INFO and metrics on, and returns what was written. */
const observe = async (
  options: Parameters<typeof httpApiEvent>[0],
  faults: () => void = () => undefined,
  env: Record<string, string> = {},
) => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  const handler = await harness.handlerWith(env);
  harness.emulator.clearFaults();
  faults();
  const output = captureOutput();
  try {
    await invoke(handler, httpApiEvent(options));
  } finally {
    output.restore();
    harness.emulator.clearFaults();
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  }
  const lines = output.json();
  const emf = lines.filter((line): line is Emf => '_aws' in line);
  const metrics = new Map<string, { value: unknown; dimensions: string[] }>();
  for (const blob of emf) {
    for (const directive of blob._aws.CloudWatchMetrics) {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      for (const { Name } of directive.Metrics)
        metrics.set(Name, { value: blob[Name], dimensions: directive.Dimensions.flat().sort() });
    }
  }
  return {
    logs: lines.filter((line) => typeof line.message === 'string'),
    metrics,
    emf,
    text: output.lines.join('\n'),
  };
};

describe('per outcome', () => {
  it('a published callback: one info line and accepted/published/latency metrics', async () => {
    const { logs, metrics } = await observe({ body: addFriendBody() });
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'callback accepted',
        outcome: 'published',
        command: 'callbackAfterAddFriendCommand',
        operationID: 'op-1',
        correlation_id: 'op-1',
        cold_start: expect.any(Boolean),
        latencyMs: expect.any(Number),
        publishLatencyMs: expect.any(Number),
      }),
    ]);
    expect(Object.fromEntries([...metrics].map(([name, { value }]) => [name, value]))).toMatchObject({
      [METRIC.accepted]: 1,
      [METRIC.published]: 1,
      [METRIC.parked]: 0,
      [METRIC.publishLatency]: expect.any(Number),
    });
    expect(metrics.get(METRIC.accepted)?.dimensions).toEqual(['service']);
  });

  it('a parked callback: a warning line and the parked count', async () => {
    const { logs, metrics } = await observe({ body: addFriendBody() }, () => {
      harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    });
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'WARN',
        outcome: 'parked',
        parked: 1,
        attempt: 'made',
        parkReason: expect.stringMatching(/InternalException/),
      }),
    ]);
    expect(metrics.get(METRIC.parked)?.value).toBe(1);
  });

  it('a rejected callback: an info line with the errCode, and the rejection counted by errCode', async () => {
    const { logs, metrics } = await observe({
      path: '/openim/wrong/callbackAfterAddFriendCommand',
      body: addFriendBody(),
    });
    expect(logs).toEqual([
      expect.objectContaining({ level: 'INFO', outcome: 'rejected', errCode: 20005, statusCode: 401 }),
    ]);
    expect(metrics.get(METRIC.rejected)).toEqual({ value: 1, dimensions: [ERR_CODE_DIMENSION, 'service'].sort() });
    expect(metrics.get(METRIC.accepted)?.value).toBe(0);
  });

  it('a lost callback: error lines with the full entry, and the lost count', async () => {
    const { logs, metrics } = await observe({ body: addFriendBody() }, () => {
      harness.emulator.faultPolicy = (operation) =>
        operation === 'PutEvents' || operation === 'SendMessage' ? 'server-error' : undefined;
    });
    expect(logs.map((line) => [line.level, line.outcome])).toEqual([
      ['ERROR', 'lost'],
      ['ERROR', 'rejected'],
    ]);
    expect(metrics.get(METRIC.lost)?.value).toBe(1);
    // A diagnosed failure is logged without a stack: formatting the first stack through the
    // source map cost ~120 ms inside the reply budget (seen in npm run bench).
    expect(JSON.stringify(logs[1])).not.toContain('stack');
  });

  it('never logs the token, the URL path or message texts', async () => {
    const { text } = await observe({
      path: `/openim/${TOKEN}/callbackAfterAddFriendCommand`,
      body: addFriendBody({ reqMsg: 'private words' }),
    });
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('private words');
    expect(text).not.toContain('/openim/');
  });
});

describe('the stack reads what the function writes', () => {
  const template = synthStack().template;
  const emitted = async () => {
    const names = new Set<string>();
    const dimensionSets = new Set<string>();
    for (const run of [
      await observe({ body: addFriendBody() }),
      await observe({ path: '/openim/wrong/x', body: '{}' }),
      await observe({ body: addFriendBody() }, () => {
        harness.emulator.faultPolicy = (operation) =>
          operation === 'PutEvents' || operation === 'SendMessage' ? 'throttle' : undefined;
      }),
      // One failure opens this instance's circuit: the state change is logged and counted.
      await observe(
        { body: addFriendBody() },
        () => {
          harness.emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
        },
        { BREAKER_FAILURE_THRESHOLD: '1' },
      ),
    ]) {
      for (const [name, { dimensions }] of run.metrics) {
        names.add(name);
        dimensionSets.add(`${name}:${dimensions.join(',')}`);
      }
    }
    return { names, dimensionSets };
  };

  it('every alarm on a custom metric watches a metric, namespace and dimensions the function emits', async () => {
    const { dimensionSets } = await emitted();
    const alarms = Object.values(Template.fromJSON(template.toJSON()).findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties,
    );
    const custom = alarms.filter((alarm) => alarm.Namespace === METRICS_NAMESPACE);
    expect(custom.length).toBeGreaterThan(0);
    for (const alarm of custom) {
      const dimensions = (alarm.Dimensions as { Name: string; Value: string }[])
        .map((dimension) => dimension.Name)
        .sort();
      expect(dimensionSets).toContain(`${alarm.MetricName}:${dimensions.join(',')}`);
      expect(alarm.Dimensions).toContainEqual({ Name: 'service', Value: SERVICE_NAME });
    }
    const aws = alarms
      .filter((alarm) => alarm.Namespace !== undefined && alarm.Namespace !== METRICS_NAMESPACE)
      .map((alarm) => `${alarm.Namespace}/${alarm.MetricName}`);
    expect(aws.sort()).toEqual([
      'AWS/ApiGateway/5xx',
      'AWS/Lambda/Errors', // callback function
      'AWS/Lambda/Errors', // retry drainer
      'AWS/Lambda/Throttles',
      'AWS/Lambda/Throttles',
      'AWS/SQS/ApproximateAgeOfOldestMessage', // retry queue
      'AWS/SQS/ApproximateNumberOfMessagesVisible', // final dead-letter queue
    ]);
    // The API's 4xx alarm is a metric-math expression: its own 4xx minus the function's refusals.
    const math = alarms.filter((alarm) => alarm.Metrics !== undefined);
    const mathMetrics = math.flatMap((alarm) =>
      (alarm.Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string } } }[]).flatMap((query) =>
        query.MetricStat ? [`${query.MetricStat.Metric.Namespace}/${query.MetricStat.Metric.MetricName}`] : [],
      ),
    );
    expect(mathMetrics).toContain('AWS/ApiGateway/4xx');
    expect(mathMetrics).toContain(`${METRICS_NAMESPACE}/${METRIC.rejected}`);
  });
});

describe('the dashboard', () => {
  const body = () => {
    const dashboard = Object.values(synthStack().template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    return parts.map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
  };

  it('charts every metric the function emits, cold starts and the dead-letter queue', async () => {
    const text = body();
    const run = await observe({ body: addFriendBody() }, () => {
      harness.emulator.faultPolicy = (operation) =>
        operation === 'PutEvents' || operation === 'SendMessage' ? 'throttle' : undefined;
    });
    const rejected = await observe({ path: '/openim/wrong/x', body: '{}' });
    for (const name of new Set([...run.metrics.keys(), ...rejected.metrics.keys()])) {
      expect(text).toContain(
        name === METRIC.rejected ? `MetricName=\\"${name}\\"` : `"${METRICS_NAMESPACE}","${name}"`,
      );
    }
    expect(text).toContain('"ApproximateNumberOfMessagesVisible"');
    expect(text).toContain('"Duration"');
  });
});
