import { spawn } from 'node:child_process';

type Env = Record<string, string | undefined>;

/**
 * Runs `node <args>` in the repository with extra environment; a variable given as undefined is
 * removed from the child's environment.
 */
export const runNode = (args: string[], env: Env) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const childEnv: Env = { ...process.env, ...env, NODE_NO_WARNINGS: '1' };
    for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
    const child = spawn(process.execPath, args, {
      cwd: new URL('../../', import.meta.url),
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

/** Runs one of the project's CLIs through tsx, as `npm run` does. */
export const runCli = (script: string, args: string[], env: Env) => runNode(['--import', 'tsx', script, ...args], env);
