import { createServer, type Server } from 'node:net';
import { runCli } from '../helpers/run-cli';

/**
 * The CLIs as a user runs them. Only what needs a real process is here (each spawn costs about a
 * second of tsx start-up); the option and error logic is unit-tested in test/unit/cli.
 */
const CLIS = [
  ['infra/cli/redrive.ts', 'npm run redrive'],
  ['infra/cli/callback-url.ts', 'npm run callback-url'],
  ['infra/cli/write-schemas.ts', 'npm run schemas'],
  ['infra/cli/send.ts', 'npm run send'],
  ['infra/cli/deploy.ts', 'npm run deploy'],
  ['infra/local/start.ts', 'npm start'],
  ['infra/local/fail-eventbridge.ts', 'npm run local:fail'],
  ['infra/cli/reconcile.ts', 'npm run reconcile'],
  ['infra/cli/graph.ts', 'npm run graph'],
  ['infra/cli/integ.ts', 'npm run integ'],
] as const;

it('every CLI answers --help (or -h) with its usage and exit code 0', async () => {
  // One at a time: seven tsx start-ups at once would only load the machine.
  for (const [index, [script, command]] of CLIS.entries()) {
    const { code, stdout } = await runCli(script, [index % 2 === 0 ? '--help' : '-h'], {});
    expect(stdout.split('\n')[0]).toMatch(new RegExp(`^usage: ${command}`));
    expect(stdout).toMatch(/exit code/);
    expect(code).toBe(0);
  }
});

it('npm run redrive -- --max abc is a usage error naming the option (exit 2), and runs nothing', async () => {
  const { code, stdout, stderr } = await runCli(
    'infra/cli/redrive.ts',
    ['--from', 'http://127.0.0.1:9/dlq', '--to', 'http://127.0.0.1:9/q', '--max', 'abc'],
    {},
  );
  expect(stderr).toBe(
    'error: --max must be a whole number from 1 to 10000000 (got "abc")\nusage: npm run redrive -- (--stack <name> | --from <url> --to <url>) [--max <messages>] [--region <region>]\n',
  );
  expect(stdout).toBe('');
  expect(code).toBe(2);
});

it.each([
  ['npm run send', 'infra/cli/send.ts', ['--url', 'notaurl-secret-token'], '--url', 'https://<api>/openim/<token>'],
  [
    'npm run redrive',
    'infra/cli/redrive.ts',
    ['--from', 'notaurl', '--to', 'http://127.0.0.1:9/q'],
    '--from',
    'https://sqs.<region>.amazonaws.com/<account>/<queue>',
  ],
  [
    'npm run redrive',
    'infra/cli/redrive.ts',
    ['--from', 'http://127.0.0.1:9/q', '--to', 'ftp://x/q'],
    '--to',
    'https://sqs.<region>.amazonaws.com/<account>/<queue>',
  ],
  [
    'npm run local:fail',
    'infra/local/fail-eventbridge.ts',
    ['--seconds', '3', '--endpoint', 'notaurl'],
    '--endpoint',
    'http://127.0.0.1:8788',
  ],
])(
  '%s with an invalid URL is one line naming the option, exit 2, the value not echoed',
  async (_cli, script, args, option, example) => {
    const { code, stdout, stderr } = await runCli(script, args, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
    });
    expect(stderr.split('\n')[0]).toBe(
      `error: ${option} must be an http(s) URL such as ${example} (the value given is not one)`,
    );
    expect(stderr).not.toMatch(/notaurl|ftp:|\n\s+at /);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  },
);

it('without a region, a CLI that calls AWS says how to set one, in one line (exit 3)', async () => {
  const { code, stderr } = await runCli('infra/cli/callback-url.ts', ['--stack', 'Any'], {
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent',
  });
  expect(stderr).toBe('error: no AWS region: set AWS_REGION or pass --region\n');
  expect(code).toBe(3);
});

it('npm start on a busy port says which port and how to pick another, in one line (exit 2)', async () => {
  const busy: Server = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = String((busy.address() as { port: number }).port);
  try {
    const { code, stderr } = await runCli('infra/local/start.ts', [], { PORT: port, LOCAL_AWS_PORT: '0' });
    expect(stderr).toBe(`error: port ${port} is in use: set PORT=<another> npm start\n`);
    expect(code).toBe(2);
  } finally {
    busy.close();
  }
});
