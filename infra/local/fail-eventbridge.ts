import { cliArgs, EXIT, EXIT_MEANING, integer, string, url } from '../cli-kit/cli-args';
import { CliError, runMain } from '../cli-kit/cli-errors';
import { DEFAULT_LOCAL_AWS_PORT, localAwsEndpoint } from '../cli-kit/local-stack';
import { FAULTS_PATH, NAMED_FAULTS, type Outage } from './fault-control';

/** `npm run local:fail -- --seconds 30`: makes the EventBridge of a running `npm start` fail. */
const args = await cliArgs({
  usage: 'npm run local:fail -- --seconds <n> [--fault <fault>] [--endpoint <url>]',
  description:
    'Makes the local EventBridge (PutEvents) of a running `npm start` fail for a while, from another terminal.',
  options: {
    seconds: integer('how long EventBridge fails', { placeholder: 'n', min: 1, max: 86_400, required: true }),
    fault: string('how each PutEvents fails', { placeholder: 'fault', choices: NAMED_FAULTS, default: 'server-error' }),
    endpoint: url(
      'the loopback AWS endpoint `npm start` printed (default: LOCAL_AWS_PORT if set, else the one npm start wrote to .local/endpoints.json)',
      { example: `http://127.0.0.1:${DEFAULT_LOCAL_AWS_PORT}` },
    ),
  },
  exitCodes: {
    0: 'EventBridge fails from now on, until the time printed',
    2: EXIT_MEANING.usage,
    3: 'nothing answers at --endpoint (is npm start running?), or it refused',
  },
});

const endpoint = args.endpoint ?? localAwsEndpoint();

await runMain(async () => {
  const response = await fetch(new URL(FAULTS_PATH, endpoint), {
    method: 'POST',
    body: JSON.stringify({ operation: 'PutEvents', fault: args.fault, seconds: args.seconds }),
  }).catch((error: unknown) => {
    throw new CliError(`nothing answers at ${endpoint} (${String(error)}): is \`npm start\` running? pass --endpoint`);
  });
  const body = (await response.json()) as { outages?: Outage[]; message?: string };
  const outage = body.outages?.find((candidate) => candidate.operation === 'PutEvents');
  if (!response.ok || !outage) throw new CliError(`the emulator refused: ${body.message ?? response.status}`);
  console.log(
    `EventBridge (PutEvents) answers ${outage.fault} for ${args.seconds} s, until ${new Date(outage.untilMs).toISOString()}`,
  );
  return EXIT.ok;
});
