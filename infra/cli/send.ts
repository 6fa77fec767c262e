import { randomBytes } from 'node:crypto';
import {
  cliArgs,
  EXIT,
  EXIT_MEANING,
  exitWithUsageError,
  flag,
  integer,
  regionOption,
  string,
  url,
} from '../cli-kit/cli-args';
import { runMain, useRegion } from '../cli-kit/cli-errors';
import { DEFAULT_EVENTS_FILE } from '../cli-kit/event-log';
import { readLocalEndpoints } from '../cli-kit/local-stack';
import {
  OPENIM_VERSIONS,
  type OpenImVersion,
  sampleBodies,
  sendsCommand,
} from '../openim-sender-simulator/openim-request';
import type { BusWatch } from './bus-watch';
import {
  callbackUrlProblem,
  DEFAULT_SMOKE_USERS,
  judgeEvent,
  type SampleCommand,
  sendSmokeCallback,
  waitForLocalEvent,
} from './smoke-test';

/**
 * `npm run send -- --url <callback url>` (or `--stack <name>`): a smoke test that sends a friend
 * callback exactly as an OpenIM server does, marked as test traffic (`synthetic: true` in the
 * event, users no OpenIM can have), and says whether OpenIM would accept the reply; with
 * `--expect-event`, also whether the event reached the bus (locally: the local server's file; on
 * AWS: a temporary rule and queue on the stack's bus, deleted afterwards, also on Ctrl-C).
 */
const spec = {
  usage:
    'npm run send -- [--url <callback url> | --stack <name>] [--command <command>] [--server-version <version>] [--expect-event]',
  description:
    'Sends one friend callback exactly as an OpenIM server does, marked as test traffic (synthetic), and says whether OpenIM accepts the reply and, with --expect-event, whether the event reached the bus.',
  options: {
    url: url(
      "the callback URL as configured in OpenIM (with the token; no trailing slash, no query); default: the running npm start's, from .local/endpoints.json",
      {
        placeholder: 'callback url',
        example: 'https://<api>/openim/<token>',
      },
    ),
    stack: string('a deployed stack: its callback URL (unless --url) and, with --expect-event, its bus', {
      placeholder: 'name',
    }),
    region: regionOption(),
    command: string('the callback to send', {
      placeholder: 'command',
      choices: Object.keys(sampleBodies),
      default: 'callbackAfterAddFriendCommand',
    }),
    'server-version': string('the OpenIM server version whose wire format to use', {
      placeholder: 'version',
      choices: OPENIM_VERSIONS,
      default: 'v3.7+',
    }),
    user: string('the acting user (applicant, list owner); IDs with ":" cannot be real OpenIM users', {
      placeholder: 'id',
      default: DEFAULT_SMOKE_USERS.user,
    }),
    'other-user': string('the other user (recipient, friend, unblocked user)', {
      placeholder: 'id',
      default: DEFAULT_SMOKE_USERS.otherUser,
    }),
    'operation-id': string('the operationID header (default: smoke-<10 random hex digits>)', { placeholder: 'id' }),
    'expect-event': flag(
      'also wait for the event on the bus: with --stack through a temporary rule and queue, else in the local server file',
    ),
    'events-file': string(
      `the local server JSON-lines file (default: the running npm start's, else ${DEFAULT_EVENTS_FILE})`,
      { placeholder: 'file' },
    ),
    timeout: integer('milliseconds to wait for the reply (OpenIM waits 5 s)', {
      placeholder: 'ms',
      min: 1,
      max: 600_000,
      default: 5_000,
    }),
    'event-timeout': integer('with --expect-event: milliseconds to wait for the event after the reply', {
      placeholder: 'ms',
      min: 1,
      max: 600_000,
      default: 30_000,
    }),
    settle: integer(
      'with --expect-event and --stack: milliseconds between creating the temporary rule and sending (EventBridge may take a moment to start matching a new rule)',
      { placeholder: 'ms', min: 0, max: 600_000, default: 5_000 },
    ),
  },
  notes: `With --stack, your AWS credentials are used to read the stack's outputs and the token secret, and with
--expect-event to create (then delete) a rule on its bus and an SQS queue named openim-friend-events-smoke-*.`,
  exitCodes: {
    0: 'OpenIM reads the reply as success (and, with --expect-event, the event reached the bus, marked synthetic)',
    1: 'the reply, or the event, was not what OpenIM and subscribers need (the output says why)',
    2: `${EXIT_MEANING.usage}, or a --url OpenIM cannot use (trailing slash, query string)`,
    3: EXIT_MEANING.aws,
    130: 'interrupted (Ctrl-C); the temporary rule and queue were deleted',
  },
};
const args = await cliArgs(spec);
const version = args['server-version'] as OpenImVersion;
const command = args.command as SampleCommand;
const usage = (message: string) => exitWithUsageError(spec, message);

const running = readLocalEndpoints();
const local = args.url || args.stack ? undefined : running;
if (!args.url && !args.stack && !local)
  await usage('--url or --stack is required when no npm start is running (it writes its URL to .local/endpoints.json)');
const urlProblem = args.url ? callbackUrlProblem(args.url) : undefined;
if (urlProblem) await usage(urlProblem);
if (!sendsCommand(version, command)) {
  await usage(
    `an OpenIM ${version} server never sends ${command} (the README, Configure OpenIM); pick another --server-version`,
  );
}
const operationID = args['operation-id'] ?? `smoke-${randomBytes(5).toString('hex')}`;
// The event must carry the operationID as given, or no rule can find it.
const hasControlCharacter = [...operationID].some((char) => /\p{Cc}/u.test(char));
if (hasControlCharacter || Buffer.byteLength(operationID) > 256) {
  await usage('--operation-id must be at most 256 bytes without control characters');
}
if (args['expect-event'] && !args.stack && args.url?.startsWith('https:')) {
  await usage('--expect-event against a deployed stack needs --stack <name>, to watch its bus');
}
useRegion(args.region);

await runMain(async () => {
  // The AWS SDK is loaded only for --stack, here: --help, a usage error and a local send answer without it.
  const outputs = args.stack ? await (await import('./stack-outputs')).stackOutputs(args.stack) : {};
  const callbackUrl =
    args.url ??
    local?.callbackUrl ??
    (await (await import('./stack-callback-url')).callbackUrlOfStack(outputs, String(args.stack)));
  let watch: BusWatch | undefined;
  let eventBusName = '';
  if (args['expect-event'] && args.stack) {
    const [{ busWatch }, { EventBridgeClient }, { SQSClient }, { requireOutput }] = await Promise.all([
      import('./bus-watch'),
      import('@aws-sdk/client-eventbridge'),
      import('@aws-sdk/client-sqs'),
      import('./stack-outputs'),
    ]);
    eventBusName = requireOutput(outputs, 'EventBusName', args.stack);
    const started = busWatch(
      { events: new EventBridgeClient({}), sqs: new SQSClient({}) },
      { eventBusName, eventBusArn: requireOutput(outputs, 'EventBusArn', args.stack), operationID },
    );
    watch = started;
    let interrupted = false;
    // Installed before anything is made; a second Ctrl-C while deleting must not leave anything behind.
    const removeOnSignal = async () => {
      if (interrupted) return console.log('still deleting the temporary rule and queue...');
      interrupted = true;
      for (const problem of await started.remove()) console.error(`warning: ${problem}`);
      console.log('interrupted: the temporary rule and queue were deleted');
      process.exit(EXIT.interrupted);
    };
    process.on('SIGINT', removeOnSignal);
    process.on('SIGTERM', removeOnSignal);
    await started.start();
    console.log(
      `watching bus ${eventBusName} through the temporary rule ${started.ruleName} and queue ${started.queueUrl()}`,
    );
    await new Promise((resolve) => setTimeout(resolve, args.settle));
  }
  try {
    const sent = await sendSmokeCallback({
      url: callbackUrl,
      command,
      version,
      operationID,
      users: { user: args.user, otherUser: args['other-user'] },
      timeoutMs: args.timeout,
    });
    for (const line of sent.lines) console.log(line);
    if (!sent.pass || !args['expect-event']) return sent.pass ? EXIT.ok : EXIT.partlyFailed;

    const seconds = `${args['event-timeout'] / 1000} s`;
    // An accepted callback whose PutEvents failed is parked: the wait then lasts until the drainer's first retry.
    const { RETRY_BASE_SECONDS } = await import('../../functions/retry/drain');
    const firstRetry = `${RETRY_BASE_SECONDS / 2}-${RETRY_BASE_SECONDS} s`;
    const parkedNote = `(if EventBridge failed, the event is parked: the drainer's first retry comes ${firstRetry} later)`;
    let verdict: ReturnType<typeof judgeEvent>;
    if (watch) {
      console.log(`waiting up to ${seconds} for the event on bus ${eventBusName}... ${parkedNote}`);
      verdict = judgeEvent(
        await watch.next(args['event-timeout']),
        `bus ${eventBusName}`,
        `no event with operationID ${operationID} reached bus ${eventBusName} within ${seconds}, although the callback was accepted: it may be parked (look at the retry queue and the dead-letter queue, docs/runbook.md), or the URL is not this stack's`,
      );
    } else {
      const file = args['events-file'] ?? running?.eventsFile ?? DEFAULT_EVENTS_FILE;
      console.log(`waiting up to ${seconds} for the event on the local bus (${file})... ${parkedNote}`);
      verdict = judgeEvent(
        await waitForLocalEvent(file, operationID, args['event-timeout']),
        `the local bus (${file})`,
        `no event with operationID ${operationID} reached the local bus within ${seconds} (${file}): is npm start running, with this EVENTS_FILE?`,
      );
    }
    console.log(verdict.line);
    return verdict.pass ? EXIT.ok : EXIT.partlyFailed;
  } finally {
    for (const problem of (await watch?.remove()) ?? []) console.error(`warning: ${problem}`);
  }
});
