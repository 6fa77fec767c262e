import { randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { DEFAULTS } from '../../functions/contract/settings';
import { cliArgs, EXIT, EXIT_MEANING, string } from '../cli-kit/cli-args';
import { CliError, runMain } from '../cli-kit/cli-errors';
import { appendEvent, DEFAULT_EVENTS_FILE } from '../cli-kit/event-log';
import { exitProcess } from '../cli-kit/exit-process';
import {
  DEFAULT_LOCAL_AWS_PORT,
  DEFAULT_LOCAL_DYNAMODB_DIR,
  DEFAULT_LOCAL_ENDPOINTS_FILE,
  localEndpointsFile,
  removeLocalEndpoints,
  writeLocalEndpoints,
} from '../cli-kit/local-stack';
import { maskPathToken } from '../cli-kit/mask-token';
import { defaultSubscriberPattern, type LocalSubscriber, loadSubscriber, subscriberNameOf } from './local-subscriber';
import { DEFAULT_SEED_FILE, DEFAULT_STAND_IN_PORT, reconcilerBanner, reconcilerEnvironment } from './start-reconciler';

/**
 * `npm start`: the real handler behind a local HTTP API (a pool of instances, as Lambda scales),
 * publishing to an embedded loopback EventBridge, and the retry queue's drainer; the friend graph,
 * the reconciler, and optionally a subscriber's own handler module on the local bus. Prints the
 * callback URL for a local OpenIM and one line per callback, park, retry, redrive and event.
 */
const args = await cliArgs({
  usage: 'npm start [-- --subscriber <module>[#export] [--name <name>] [--pattern <json>]]',
  description:
    'Runs the product locally: the callback function behind an HTTP API, a loopback EventBridge, SQS, Secrets Manager and DynamoDB, the retry drainer, the friend graph and the reconciler; and your subscriber, if given.',
  options: {
    subscriber: string(
      "your subscriber's handler module (.ts or .js), run on every matching event as Lambda runs it: the envelope, a context; export `handler` unless #<export> names another",
      { placeholder: 'module[#export]' },
    ),
    name: string(
      "with --subscriber: its subscriber name, which `npm run snapshot -- --local --for <name>` addresses (default: the module file's base name, mine for ./mine.ts)",
      { placeholder: 'name' },
    ),
    pattern: string(
      `with --subscriber: its EventBridge rule pattern (default: every friend event, test traffic included, since local traffic is all test traffic, and the snapshots addressed to its name, never another's; for ./mine.ts: ${defaultSubscriberPattern(DEFAULTS.eventSource, 'mine')})`,
      { placeholder: 'json' },
    ),
  },
  notes: `environment:
  PORT            the callback server's port (default 8787)
  HOST            its address (default 127.0.0.1; 0.0.0.0 for an OpenIM in a container)
  LOCAL_AWS_PORT  the loopback AWS endpoint's port (default ${DEFAULT_LOCAL_AWS_PORT}; npm run local:fail talks to it)
  CALLBACK_TOKEN  the token in the callback URL (default local-dev-token)
  EVENTS_FILE     where each event is appended as a JSON line, the envelope a subscriber receives
                  (default ${DEFAULT_EVENTS_FILE})
  LOG_LEVEL       the functions' JSON logs from this level: ERROR (default: only a bug or a lost or
                  unpublishable event), INFO (every callback, publish and graph update), DEBUG
  LOCAL_DYNAMODB_DIR  where the local DynamoDB keeps the friend graph and the reconciler's state
                  (default: "memory" with the stand-in, ${DEFAULT_LOCAL_DYNAMODB_DIR} with OPENIM_API_URL)
  LOCAL_ENDPOINTS_FILE  where npm start writes its endpoints while it runs (default
                  ${DEFAULT_LOCAL_ENDPOINTS_FILE}); send, local:fail, reconcile --local and
                  graph --local read it, so they find this stack on any port

  Local state: the OpenIM API stand-in is reseeded at every start, and so the friend graph and
  the reconciler's state start empty with it (in memory): the first npm run reconcile -- --local
  fills the graph from the seed, and nothing you did by hand in an earlier run is "repaired" back.
  With OPENIM_API_URL (an OpenIM that keeps its data), they persist under ${DEFAULT_LOCAL_DYNAMODB_DIR}.
  npm run local:reset deletes what npm start keeps under .local/ (the graph, the events file); it
  refuses while npm start runs.

  The reconciler sweeps only when asked (npm run reconcile -- --local), against the embedded
  OpenIM API stand-in, or a real OpenIM when OPENIM_API_URL is set:
  OPENIM_API_URL        a real OpenIM's API, e.g. http://127.0.0.1:10002
  OPENIM_ADMIN_USER_ID  the reconciler's own admin user (default ${DEFAULTS.openImAdminUserID}; the stand-in has it)
  OPENIM_ADMIN_SECRET   share.yml's secret: needed with OPENIM_API_URL (the stand-in's own is set for you)
  OPENIM_API_CALLS_PER_SECOND  the sweep's pace (default ${DEFAULTS.reconcileCallsPerSecond})
  OPENIM_STANDIN_PORT   the stand-in's port (default ${DEFAULT_STAND_IN_PORT}; OpenIM's own API is on 10002)
  OPENIM_STANDIN_HOST   the stand-in's address (default 127.0.0.1, whatever HOST says: its secret is
                        known and its control routes take no token)
  OPENIM_SEED_FILE      the stand-in's starting data (default ${DEFAULT_SEED_FILE})`,
  exitCodes: {
    0: 'stopped (Ctrl-C)',
    2: `${EXIT_MEANING.usage}, a wrong environment variable, a port in use, or a subscriber module or pattern that cannot be used (the line says which)`,
    3: 'it could not start for another reason (the line says which)',
  },
});
for (const option of ['pattern', 'name'] as const) {
  if (args[option] && !args.subscriber) {
    console.error(
      `error: --${option} goes with --subscriber <module>\nusage: npm start [-- --subscriber <module>[#export] [--name <name>] [--pattern <json>]]`,
    );
    await exitProcess(EXIT.usage);
  }
}

/** A port from the environment, or a one-line usage error. */
const portFrom = (name: string, fallback: number): number => {
  const text = process.env[name] ?? String(fallback);
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new CliError(`${name} must be a port number from 0 to 65535 (got "${text}")`, 2);
  return port;
};

/** The URL an OpenIM in a container can reach when the server listens on every address. */
const reachableBaseUrl = (url: string, host: string): string => {
  if (host !== '0.0.0.0' && host !== '::') return url;
  const address = Object.values(networkInterfaces())
    .flat()
    .find((candidate) => candidate?.family === 'IPv4' && !candidate.internal)?.address;
  return url.replace(/\/\/[^/:]+|\/\/\[[^\]]+\]/, `//${address ?? '127.0.0.1'}`);
};

const drainerContext = () => ({ awsRequestId: randomUUID(), functionName: 'retry-drainer' }) as Context;

/** A listen error as one line with the fix. */
const listenError = (error: unknown, variable: string, port: number): unknown =>
  error instanceof Error && 'code' in error && error.code === 'EADDRINUSE'
    ? new CliError(`port ${port} is in use: set ${variable}=<another> npm start`, 2)
    : error;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

await runMain(async () => {
  // Loaded here: --help and a usage error answer without the local stack and the AWS SDK.
  const [
    { SQSClient },
    { envelopeOf },
    { LocalRules },
    { handlerPool },
    { startLocalServer },
    { LocalConsole },
    { LOCAL_BUS_NAME, startLocalAws },
    { startLocalReconciler },
    { startSqsEventSource },
  ] = await Promise.all([
    import('@aws-sdk/client-sqs'),
    import('./event-envelope'),
    import('./event-rules'),
    import('./handler-pool'),
    import('./http-api-adapter'),
    import('./local-console'),
    import('./local-environment'),
    import('./local-reconciler'),
    import('./sqs-event-source'),
  ]);
  const port = portFrom('PORT', 8787);
  const awsPort = portFrom('LOCAL_AWS_PORT', DEFAULT_LOCAL_AWS_PORT);
  const host = process.env.HOST ?? '127.0.0.1';
  const token = process.env.CALLBACK_TOKEN ?? 'local-dev-token';
  const eventsFile = resolve(process.env.EVENTS_FILE ?? DEFAULT_EVENTS_FILE);
  const reconcilerSettings = reconcilerEnvironment(process.env);
  const endpointsFile = localEndpointsFile();

  // The console lines below are the local output; the functions' JSON logs only from LOG_LEVEL.
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

  const { emulator, endpoint, queueUrl, deadLetterQueueUrl } = await startLocalAws({ token, port: awsPort }).catch(
    (error: unknown) => {
      throw listenError(error, 'LOCAL_AWS_PORT', awsPort);
    },
  );
  const localConsole = new LocalConsole(emulator, { retryQueueUrl: queueUrl, deadLetterQueueUrl });
  localConsole.attach(emulator);
  emulator.onEvent((event) => appendEvent(eventsFile, envelopeOf(event)));
  // After the endpoint set the environment: the subscriber's own AWS clients talk to it too.
  const subscriber: LocalSubscriber | undefined = args.subscriber
    ? await (async (spec: string) => {
        const subscriberName = subscriberNameOf(spec, args.name);
        const pattern = args.pattern ?? defaultSubscriberPattern(DEFAULTS.eventSource, subscriberName);
        return loadSubscriber(spec, subscriberName, pattern);
      })(args.subscriber).catch(async (error: unknown) => {
        await emulator.stop();
        throw error;
      })
    : undefined;
  const subscriberRules = new LocalRules();
  if (subscriber) {
    subscriberRules.add({
      name: 'LocalSubscriberRule',
      eventBusName: LOCAL_BUS_NAME,
      pattern: subscriber.pattern,
      target: async (event) => {
        await subscriber.handler(event);
        const { operationID } = event.detail;
        console.log(
          `${'subscriber'.padEnd(12)}${subscriber.name} handled ${event['detail-type']}${operationID ? ` [operationID ${operationID}]` : ''}`,
        );
      },
      onFailure: (event, error) =>
        console.error(
          `${'subscriber'.padEnd(12)}${subscriber.name} failed on ${event['detail-type']} 3 times (as Lambda tries an asynchronous invocation): ${errorText(error)}`,
        ),
    });
    emulator.onEvent(subscriberRules.deliver);
  }

  const { createHandler } = await import('../../functions/handlers/callback');
  const callbacks = handlerPool(() => createHandler());
  // The retry queue's drainer, fed like Lambda's SQS event source: parked events reach the bus by themselves.
  const { handler: drainer } = await import('../../functions/handlers/retry-drainer');
  const stopDrainer = startSqsEventSource(new SQSClient({}), {
    queueUrl,
    handler: (event) => drainer(event, drainerContext()),
    onError: (error) => console.error(`drainer: ${errorText(error)}`),
  });
  const { url, close } = await startLocalServer(callbacks.invoke, {
    port,
    host,
    onResponse: (event, result, ms) => {
      const reply = JSON.parse(String(result.body)) as { errCode: number; errDlt: string };
      const path = maskPathToken(event.rawPath, DEFAULTS.pathPrefix, token);
      const outcome = reply.errCode === 0 ? 'accepted' : `refused ${reply.errCode}: ${reply.errDlt}`;
      localConsole.callback(event.requestContext.http.method, path, result.statusCode ?? 200, outcome, ms);
    },
  }).catch(async (error: unknown) => {
    // The drainer first: polling an emulator that is gone would print a connection error.
    await stopDrainer();
    await emulator.stop();
    throw listenError(error, 'PORT', port);
  });

  const reconciler = await startLocalReconciler({
    emulator,
    eventBusName: LOCAL_BUS_NAME,
    eventSource: DEFAULTS.eventSource,
    callbackUrl: `${url}/${DEFAULTS.pathPrefix}/${token}`,
    ...reconcilerSettings,
    onFailedEvent: (detailType, error) =>
      console.error(`friend graph: could not apply a ${detailType} event: ${errorText(error)}`),
  }).catch(async (error: unknown) => {
    await close();
    await stopDrainer();
    await emulator.stop();
    throw listenError(error, 'OPENIM_STANDIN_PORT', reconcilerSettings.openIm.standInPort);
  });

  const callbackUrl = `${reachableBaseUrl(url, host)}/${DEFAULTS.pathPrefix}/${token}`;
  const containerHint = callbackUrl.startsWith(url)
    ? ''
    : `\n  (from Docker Desktop, http://host.docker.internal:${new URL(url).port}/openim/<token> works too)`;
  writeLocalEndpoints(endpointsFile, {
    pid: process.pid,
    callbackUrl,
    awsEndpoint: endpoint,
    openImApiUrl: reconciler.apiUrl,
    standIn: Boolean(reconciler.standIn),
    eventsFile,
    ports: {
      callback: Number(new URL(url).port),
      aws: Number(new URL(endpoint).port),
      ...(reconciler.standIn ? { standIn: Number(new URL(reconciler.apiUrl).port) } : {}),
    },
  });
  // The commands below find this stack through the endpoints file; a file of its own must be named.
  const npm =
    endpointsFile === resolve(DEFAULT_LOCAL_ENDPOINTS_FILE) ? 'npm' : `LOCAL_ENDPOINTS_FILE=${endpointsFile} npm`;
  const subscriberLine = subscriber
    ? `\n  Your subscriber ${subscriber.name} gets every event matching ${subscriber.patternJson}\n    (test traffic included unless your pattern leaves it out: local traffic is all test traffic)\n  Its name is ${subscriber.subscriberName}: send it its snapshot with ${npm} run snapshot -- --local --for ${subscriber.subscriberName}${args.pattern ? ' (if your pattern takes it)' : ''}`
    : '';
  console.log(`openim-friend-events is running locally.

  OpenIM callback URL (webhooks.yml "url"):  ${callbackUrl}${containerHint}
  Loopback AWS endpoint (EventBridge, SQS, Secrets Manager): ${endpoint}
  One line per callback, park, retry, redrive and event below (LOG_LEVEL=INFO adds the functions' JSON logs);
  each event is appended to ${eventsFile} as the envelope a subscriber receives
  Endpoints for the commands below: ${endpointsFile} (removed when npm start stops)
  Make EventBridge fail for 30 s: ${npm} run local:fail -- --seconds 30${subscriberLine}
${reconcilerBanner(reconciler, reconcilerSettings, npm)}

Try it:
  ${npm} run send -- --expect-event
`);

  const shutdown = async () => {
    removeLocalEndpoints(endpointsFile);
    await close();
    await stopDrainer();
    await subscriberRules.idle();
    await reconciler.stop();
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return new Promise<number>(() => undefined); // runs until a signal
});
