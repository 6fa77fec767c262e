import { spawn } from 'node:child_process';

/**
 * Runs one of the project's CLIs (through tsx, as `npm run` does) with extra environment; a
 * variable given as undefined is removed from the child's environment.
 */
export const runCli = (script: string, args: string[], env: Record<string, string | undefined>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env, NODE_NO_WARNINGS: '1' };
    for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
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
