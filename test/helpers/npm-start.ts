import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** `npm start` running in a child process, as the end-to-end tests use it. */
export interface LocalStart {
  pid: number | undefined;
  /** What it printed so far, stdout and stderr. */
  output: () => string;
  /** The port of its loopback AWS endpoint, as its banner prints it. */
  awsPort: string;
  /** The URL of its OpenIM API stand-in, as its banner prints it. */
  openImApiUrl: string;
  /** Whether it has exited. */
  exited: () => boolean;
  /** Stops it (SIGTERM, which it handles as Ctrl-C) and waits for it to exit; nothing when it already has. */
  stop: () => Promise<void>;
}

/**
 * Waits for `probe` to find something, every 100 ms for up to `ms`; the error names what was
 * awaited and shows what `npm start` printed.
 */
export const waitFor = async <T>(
  local: Pick<LocalStart, 'output'>,
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 60_000,
): Promise<T> => {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${local.output()}`);
};

/**
 * Starts `npm start` on ports of its own (none of the defaults), its local state (DynamoDB,
 * endpoints file, events file) in `dir`, with extra environment, and resolves once its banner is
 * printed whole.
 */
export const startLocal = async (dir: string, env: Record<string, string> = {}): Promise<LocalStart> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      LOCAL_AWS_PORT: '0',
      OPENIM_STANDIN_PORT: '0',
      LOCAL_DYNAMODB_DIR: join(dir, 'dynamodb'),
      LOCAL_ENDPOINTS_FILE: join(dir, 'endpoints.json'),
      EVENTS_FILE: join(dir, 'events.jsonl'),
      NODE_NO_WARNINGS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const local = { output: () => output };
  // The banner's last line, then what the tests read from it.
  await waitFor(local, 'the banner', () => {
    if (exited()) throw new Error(`npm start exited (${child.exitCode})\n${output}`);
    return /^ {2}(?:\S+ )?npm run send -- --expect-event$/m.test(output) ? true : undefined;
  });
  const fromBanner = (pattern: RegExp, what: string): string => {
    const found = pattern.exec(output)?.[1];
    if (found === undefined) throw new Error(`npm start's banner has no ${what}\n${output}`);
    return found;
  };
  return {
    ...local,
    pid: child.pid,
    awsPort: fromBanner(/Loopback AWS endpoint[^:]*: http:\/\/127\.0\.0\.1:(\d+)/, 'loopback AWS endpoint'),
    openImApiUrl: fromBanner(/OpenIM API stand-in at (http:\/\/\S+)/, 'OpenIM API stand-in'),
    exited,
    stop: async () => {
      if (exited()) return;
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exit;
    },
  };
};
