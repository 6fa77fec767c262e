import { cliArgs, EXIT, EXIT_MEANING, integer, string } from '../../cli-kit/cli-args';
import { CliError, runMain } from '../../cli-kit/cli-errors';
import { SeedError } from './seed';
import { SERVER_VERSIONS, type ServerVersion } from './server-versions';
import { startOpenImStandIn } from './stand-in';

/** `npx tsx infra/local/openim-api/serve.ts`: the OpenIM API stand-in on its own, for curl and a reconciler. */
const args = await cliArgs({
  usage: 'npx tsx infra/local/openim-api/serve.ts [--seed-file <file>] [--server-version <v>] [--port <n>]',
  description:
    "Serves an OpenIM API stand-in (docs/openim-admin-api.md): OpenIM's read and write routes over in-memory data, optionally posting after-callbacks.",
  options: {
    // npm start's default too: OpenIM's own API port (10002) stays free for a real OpenIM.
    port: integer('port to listen on (0: any free one)', { min: 0, max: 65_535, default: 10_302 }),
    host: string('address to listen on', { placeholder: 'address', default: '127.0.0.1' }),
    'seed-file': string('JSON seed (format: infra/local/openim-api/seed.ts)', { placeholder: 'file' }),
    'server-version': string('which OpenIM to play', { placeholder: 'v', choices: SERVER_VERSIONS, default: 'main' }),
    users: integer('generate this many users (bench data)', { min: 2, max: 10_000_000 }),
    'directed-edges': integer('... with this many directed friend rows', { min: 0, max: 100_000_000, default: 0 }),
    'callback-url': string('post after-callbacks here (webhooks.yml url)', { placeholder: 'url' }),
    secret: string('share.yml secret', { default: 'openIM123' }),
    'admin-user-id': string('share.yml admin user ID', { placeholder: 'id', default: 'imAdmin' }),
  },
  notes: `control endpoints (no token): POST /_standin/delete_user {"userID":"..."}, POST /_standin/faults
{"route":"/friend/get_black_list","errCode":1501,"times":1}, DELETE /_standin/faults,
POST /_standin/drop_webhooks {"callbackCommand":"callbackAfterDeleteFriendCommand","count":1}`,
  exitCodes: {
    0: 'stopped (Ctrl-C)',
    2: `${EXIT_MEANING.usage}, an unreadable seed file, or a port in use`,
    3: 'it could not start for another reason (the line says which)',
  },
});

await runMain(async () => {
  const started = performance.now();
  const standIn = await startOpenImStandIn({
    port: args.port,
    host: args.host,
    seedFile: args['seed-file'],
    serverVersion: args['server-version'] as ServerVersion,
    generate: args.users === undefined ? undefined : { users: args.users, directedEdges: args['directed-edges'] },
    callbackUrl: args['callback-url'],
    adminSecret: args.secret,
    adminUserIDs: [args['admin-user-id']],
  }).catch((error: unknown) => {
    if (error instanceof SeedError) throw new CliError(error.message, EXIT.usage);
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      throw new CliError(`port ${args.port} is in use: pass --port <another>`, EXIT.usage);
    }
    throw error;
  });
  const { total } = standIn.model.userPage(1, 0);
  console.log(
    `OpenIM ${standIn.serverVersion} API stand-in at ${standIn.url} (${total} users, ready in ${Math.round(performance.now() - started)} ms)`,
  );
  const stop = async () => {
    await standIn.close();
    process.exit(EXIT.ok);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => undefined); // runs until a signal
});
