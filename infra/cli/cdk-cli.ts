import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { EXIT } from '../cli-kit/cli-args';

/**
 * The project's own CDK CLI (the `aws-cdk` devDependency), run on this Node with the terminal
 * attached; resolves with its exit code. Not through npx, which costs a process of its own.
 */
export const runCdk = (args: string[]): number =>
  spawnSync(process.execPath, [createRequire(import.meta.url).resolve('aws-cdk/bin/cdk'), ...args], {
    stdio: 'inherit',
  }).status ?? EXIT.partlyFailed;
