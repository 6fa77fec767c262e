import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EXIT } from '../cli-kit/cli-args';

/**
 * The project's CDK CLI: its command line's context, and running it. Light (no CDK, no AWS SDK),
 * so a CLI's --help answers without loading them.
 */

/** The `-c key=value`, `--context key=value` and `--context=key=value` pairs of a cdk command line (pure). */
export const contextInArgs = (args: string[]): Record<string, string> =>
  Object.fromEntries(
    args.flatMap((arg, index) => {
      const pair = arg === '-c' || arg === '--context' ? args[index + 1] : /^--context=(.*)$/.exec(arg)?.[1];
      const key = pair?.split('=')[0];
      return key && pair?.includes('=') ? [[key, pair.slice(key.length + 1)]] : [];
    }),
  );

/** cdk.json's context, which the CDK CLI merges under the command line's. */
export const cdkJsonContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> }).context ?? {};

/**
 * The project's own CDK CLI (the `aws-cdk` devDependency), run on this Node with the terminal
 * attached; resolves with its exit code. Not through npx, which costs a process of its own.
 */
export const runCdk = (args: string[]): number =>
  spawnSync(process.execPath, [createRequire(import.meta.url).resolve('aws-cdk/bin/cdk'), ...args], {
    stdio: 'inherit',
  }).status ?? EXIT.partlyFailed;
