import { randomUUID } from 'node:crypto';
import { DEFAULT_EVENTS_FILE } from '../local/event-log';
import { OPENIM_VERSIONS, type OpenImVersion, sampleBodies, sendsCommand } from '../openim-client/openim-request';
import { cliArgs } from './cli-args';
import { type SampleCommand, smokeTest } from './smoke-test';

/**
 * `npm run send -- --url <callback url>`: a smoke test that sends a friend callback exactly as an
 * OpenIM server does and says whether OpenIM would accept the reply. Exit code 0 on pass.
 */
const USAGE = `npm run send -- --url <callback url> [--command ${Object.keys(sampleBodies).join('|')}] [--server-version ${OPENIM_VERSIONS.join('|')}] [--expect-event [--events-file ${DEFAULT_EVENTS_FILE}]]`;
const args = cliArgs(
  {
    url: { type: 'string' },
    command: { type: 'string', default: 'callbackAfterAddFriendCommand' },
    'server-version': { type: 'string', default: 'v3.7+' },
    'operation-id': { type: 'string' },
    'expect-event': { type: 'boolean', default: false },
    'events-file': { type: 'string', default: DEFAULT_EVENTS_FILE },
    timeout: { type: 'string', default: '5000' },
  },
  USAGE,
);
const command = String(args.command);
const version = String(args['server-version']);
if (!args.url || !(command in sampleBodies) || !(OPENIM_VERSIONS as readonly string[]).includes(version)) {
  console.error(`usage: ${USAGE}`);
  process.exit(2);
}
if (!sendsCommand(version as OpenImVersion, command as SampleCommand)) {
  console.error(
    `an OpenIM ${version} server never sends ${command} (see WIRE-FORMAT.md); pick another --server-version`,
  );
  process.exit(2);
}

const { pass, lines } = await smokeTest({
  url: args.url,
  command: command as SampleCommand,
  version: version as OpenImVersion,
  operationID: args['operation-id'] ?? `smoke-${randomUUID()}`,
  timeoutMs: Number(args.timeout),
  ...(args['expect-event'] ? { expectEventIn: String(args['events-file']) } : {}),
});
for (const line of lines) console.log(line);
process.exit(pass ? 0 : 1);
