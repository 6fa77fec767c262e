import { writeFileSync } from 'node:fs';
import type { Fault } from '../../infra/local/aws-emulator';
import { startLocalAws } from '../../infra/local/local-environment';

/**
 * Child process of the benchmark: a loopback AWS endpoint and one bundle in the same process,
 * then the first invocation, a warm loop, or replies under an EventBridge that never answers.
 * Settings come from the environment: BUNDLE, MODE (warm | paired | worst), RUNS, RESULT_FILE;
 * BASELINE, for `paired`: a second bundle whose invocations alternate with BUNDLE's, so both see
 * the same machine state and the difference is the overhead, not the noise between two runs.
 */
const TOKEN = 'bench-token-abcdefghijklmnopqrstuvwxyz0123456';
const { BUNDLE = '', BASELINE = '', MODE = 'warm', RUNS = '10000', RESULT_FILE = '' } = process.env;

// The loopback AWS stand-in of `npm start`, with the SDK pointed at it through the environment.
const { emulator } = await startLocalAws({ token: TOKEN });

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
const { handler } = (await import(BUNDLE)) as { handler: Handler };
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
let sequence = 0;
const event = () => {
  sequence += 1;
  return callbackEvent(sequence);
};
const callbackEvent = (sequence: number) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: `/openim/${TOKEN}/callbackAfterAddFriendCommand`,
  rawQueryString: '',
  headers: { 'content-type': 'application/json; charset=utf-8', operationid: `bench-${sequence}` },
  requestContext: {
    http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Go-http-client/1.1' },
    timeEpoch: Date.now(),
  },
  body: '{"callbackCommand":"callbackAfterAddFriendCommand","fromUserID":"3958741620","toUserID":"6127384950","reqMsg":"Hi"}\n',
  isBase64Encoded: false,
});
const timed = async (invoke: Handler = handler) => {
  const started = performance.now();
  const response = await invoke(event(), context);
  const ms = performance.now() - started;
  return { ms, status: response.statusCode };
};

const result: Record<string, unknown> = {};
if (MODE === 'warm') {
  const first = await timed();
  if (first.status !== 200) throw new Error(`first invocation answered ${first.status}`);
  result.firstMs = first.ms;
  const samples: number[] = [];
  for (let run = 0; run < Number(RUNS); run += 1) samples.push((await timed()).ms);
  result.samples = samples;
  result.events = emulator.events.length;
  result.peakRssKb = process.resourceUsage().maxRSS;
} else if (MODE === 'paired') {
  const { handler: baseline } = (await import(BASELINE)) as { handler: Handler };
  await timed();
  await timed(baseline);
  const ours: number[] = [];
  const base: number[] = [];
  for (let run = 0; run < Number(RUNS); run += 1) {
    ours.push((await timed()).ms);
    base.push((await timed(baseline)).ms);
  }
  result.ours = ours;
  result.base = base;
} else {
  await timed(); // warm: the token is cached, the worst case is about EventBridge only
  const scenarios: [string, Fault | undefined][] = [
    ['EventBridge never answers (event parked)', undefined],
    ['EventBridge and SQS never answer (503)', 'hang'],
  ];
  const worst: Record<string, number[]> = {};
  for (const [label, sqsFault] of scenarios) {
    emulator.faultPolicy = (operation) =>
      operation === 'PutEvents' ? 'hang' : operation === 'SendMessage' ? sqsFault : undefined;
    worst[label] = [];
    for (let run = 0; run < Number(RUNS); run += 1) worst[label]?.push((await timed()).ms);
  }
  result.worst = worst;
}
writeFileSync(RESULT_FILE, JSON.stringify(result));
await emulator.stop();
process.exit(0);
