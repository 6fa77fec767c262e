import { randomUUID } from 'node:crypto';
import { DEFAULT_EVENTS_FILE } from '../local/event-log';
import {
  OPENIM_VERSIONS,
  type OpenImVersion,
  sampleBodies,
  sendsCommand,
} from '../openim-sender-simulator/openim-request';
import { cliArgs, EXIT, exitWithUsageError, flag, integer, string, url } from './cli-args';
import { runMain } from './cli-errors';
import { type SampleCommand, smokeTest } from './smoke-test';

/**
 * `npm run send -- --url <callback url>`: a smoke test that sends a friend callback exactly as an
 * OpenIM server does and says whether OpenIM would accept the reply. Exit code 0 on pass.
 */
const spec = {
  usage: 'npm run send -- --url <callback url> [--command <command>] [--server-version <version>] [--expect-event]',
  description: 'Sends one friend callback exactly as an OpenIM server does and says whether OpenIM accepts the reply.',
  options: {
    url: url('the callback URL as configured in OpenIM (with the token)', {
      placeholder: 'callback url',
      example: 'https://<api>/openim/<token>',
      required: true,
    }),
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
    'operation-id': string('the operationID header (default: smoke-<random>)', { placeholder: 'id' }),
    'expect-event': flag('with the local server: also wait for the event in its JSON-lines file'),
    'events-file': string('the local server JSON-lines file', { placeholder: 'file', default: DEFAULT_EVENTS_FILE }),
    timeout: integer('milliseconds to wait for the reply (OpenIM waits 5 s)', {
      placeholder: 'ms',
      min: 1,
      max: 600_000,
      default: 5_000,
    }),
    'event-timeout': integer(
      'with --expect-event: milliseconds to wait for the event after the reply (default: --timeout)',
      {
        placeholder: 'ms',
        min: 1,
        max: 600_000,
      },
    ),
  },
  notes: 'exit code 1 means the reply (or the event) was not what OpenIM needs; the output says why.',
};
const args = cliArgs(spec);

if (!sendsCommand(args['server-version'] as OpenImVersion, args.command as SampleCommand)) {
  exitWithUsageError(
    spec,
    `an OpenIM ${args['server-version']} server never sends ${args.command} (the README, Configure OpenIM); pick another --server-version`,
  );
}

await runMain(async () => {
  const { pass, lines } = await smokeTest({
    url: args.url,
    command: args.command as SampleCommand,
    version: args['server-version'] as OpenImVersion,
    operationID: args['operation-id'] ?? `smoke-${randomUUID()}`,
    timeoutMs: args.timeout,
    ...(args['expect-event']
      ? { expectEventIn: args['events-file'], eventTimeoutMs: args['event-timeout'] ?? args.timeout }
      : {}),
  });
  for (const line of lines) console.log(line);
  return pass ? EXIT.ok : EXIT.partlyFailed;
});
