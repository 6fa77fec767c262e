import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** Cold-import timing of a bundle, and the quantile the bench reports it by. */
const run = promisify(execFile);

export const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

/** Import time of a bundle in a fresh `node`, as deployed: no `--enable-source-maps` unless asked. */
export const coldImport = async (bundle: string, sourceMaps = false): Promise<number> => {
  const script = `const t=performance.now();await import(${JSON.stringify(bundle)});console.log(performance.now()-t);process.exit(0)`;
  const flags = sourceMaps ? ['--enable-source-maps'] : [];
  const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9', // nothing listens: the token read fails later, after the import
      EVENT_BUS_NAME: 'bench-bus',
      CALLBACK_TOKEN_SECRET_ID: 'bench-token',
      RETRY_QUEUE_URL: 'http://127.0.0.1:9/000000000000/bench-retry',
    },
  });
  return Number(stdout.trim());
};
