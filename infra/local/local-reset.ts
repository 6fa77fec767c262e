import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { cliArgs, EXIT, EXIT_MEANING } from '../cli-kit/cli-args';
import { CliError, runMain } from '../cli-kit/cli-errors';
import { DEFAULT_EVENTS_FILE } from '../cli-kit/event-log';
import { DEFAULT_LOCAL_DYNAMODB_DIR, localEndpointsFile, readLocalEndpoints } from '../cli-kit/local-stack';

/** `npm run local:reset`: deletes the local state `npm start` keeps, so the next start begins from nothing. */
await cliArgs({
  usage: 'npm run local:reset',
  description:
    "Deletes what npm start keeps under .local/: the local DynamoDB (the friend graph and the reconciler's state), the events file and a stale endpoints file. The OpenIM API stand-in keeps nothing: it is reseeded at every start. Refuses while npm start runs.",
  options: {},
  notes: `environment: LOCAL_DYNAMODB_DIR, EVENTS_FILE and LOCAL_ENDPOINTS_FILE as npm start reads them`,
  exitCodes: {
    0: 'the local state is deleted (or there was none)',
    2: EXIT_MEANING.usage,
    3: 'npm start is running: stop it first (nothing was deleted)',
  },
});

await runMain(async () => {
  const endpointsFile = localEndpointsFile();
  const running = readLocalEndpoints(endpointsFile);
  if (running)
    throw new CliError(
      `npm start is running (pid ${running.pid}, ${endpointsFile}): stop it first (Ctrl-C), then run npm run local:reset again; nothing was deleted`,
      EXIT.aws,
    );
  const dynamoDbDir = process.env.LOCAL_DYNAMODB_DIR || DEFAULT_LOCAL_DYNAMODB_DIR;
  const targets = [
    ...(dynamoDbDir === 'memory' ? [] : [resolve(dynamoDbDir)]),
    resolve(process.env.EVENTS_FILE || DEFAULT_EVENTS_FILE),
    endpointsFile,
  ];
  const removed = targets.filter((path) => existsSync(path));
  for (const path of removed) rmSync(path, { recursive: true, force: true });
  console.log(removed.length > 0 ? `deleted ${removed.join(', ')}` : 'no local state to delete');
  return EXIT.ok;
});
