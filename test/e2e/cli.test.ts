import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArguments, commandsShown, packageScripts } from '../docs/doc-commands';
import { runCli, runNode } from '../helpers/run-cli';

/**
 * The CLIs as a user runs them. Only what needs a real process is here (each spawn costs about a
 * second of tsx start-up); the option and error logic is unit-tested in test/unit/cli.
 */
const scripts = packageScripts();
const shown = commandsShown();

/** Each CLI by its npm script, and the exit codes its --help lists: the ones it can produce, no other. */
const CLIS = [
  ['redrive', [0, 1, 2, 3]],
  ['callback-url', [0, 2, 3]],
  ['schemas', [0, 2, 3]],
  ['send', [0, 1, 2, 3, 130]],
  ['deploy', [2, 3]],
  ['synth', [0, 2]],
  ['pack', [0, 2, 3]],
  ['start', [0, 2, 3]],
  ['local:fail', [0, 2, 3]],
  ['local:reset', [0, 2, 3]],
  ['reconcile', [0, 1, 2, 3]],
  ['snapshot', [0, 1, 2, 3]],
  ['graph', [0, 2, 3]],
  ['integ', [0, 1, 2, 3]],
  ['bench', [0, 1, 2]],
  ['bench:reconciler', [0, 1, 2]],
] as const;

/**
 * `--help` (or `-h`, every other one) of every CLI above and of every CLI the README and docs/
 * show, each once, run as package.json runs it; two at a time, as the machine may be small and busy.
 */
const helps = new Map<string, { code: number | null; stdout: string; stderr: string }>();
beforeAll(async () => {
  const shownClis = shown.map((command) => command.script).filter((script) => cliArguments(scripts[script] ?? ''));
  const queue = [...new Set([...CLIS.map(([script]) => script), ...shownClis])];
  let started = 0;
  const worker = async () => {
    for (let script = queue.shift(); script; script = queue.shift()) {
      const command = cliArguments(scripts[script] ?? '');
      if (!command) throw new Error(`package.json has no script ${script} that runs a CLI of this repository`);
      const helpOption = started++ % 2 === 0 ? '--help' : '-h';
      helps.set(script, await runNode([...command, helpOption], {}));
    }
  };
  await Promise.all([worker(), worker()]);
}, 240_000);

it('every CLI answers --help (or -h) with its usage and only the exit codes it can produce, and does nothing else', () => {
  for (const [script, codes] of CLIS) {
    const { code, stdout, stderr } = helps.get(script) ?? { code: null, stdout: '', stderr: '' };
    const command = script === 'start' ? 'npm start' : `npm run ${script}`;
    expect(stdout.split('\n')[0]).toMatch(new RegExp(`^usage: ${command.replace(':', '\\:')}`));
    const listed = [...stdout.slice(stdout.indexOf('exit codes:')).matchAll(/^ {2}(\d+) /gm)].map((match) =>
      Number(match[1]),
    );
    expect({ command, listed }).toEqual({ command, listed: [...codes] });
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/^\[\d+ s\]/m); // no benchmark progress line: it did not start
    expect(code).toBe(0);
  }
});

it("the README and docs/ use only options that the command's --help names", () => {
  expect(shown.map((command) => command.script)).toEqual(expect.arrayContaining(['start', 'send', 'reconcile']));
  const problems: string[] = [];
  for (const command of shown) {
    const help = helps.get(command.script);
    if (!help) continue; // not a CLI of this repository (npm test)
    if (help.code !== 0) problems.push(`${command.script}: --help exited ${help.code}: ${help.stderr.slice(0, 300)}`);
    for (const option of command.options) {
      if (!new RegExp(`${option}(?![a-z0-9-])`).test(help.stdout)) {
        problems.push(`${command.where}: ${command.text}: ${option} is not in npm run ${command.script} -- --help`);
      }
    }
  }
  expect(problems).toEqual([]);
});

it('a CLI that stops at once (--help, a usage error) leaves what tsx compiled in its cache, whole, for the next run', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'openim-friend-events-tsx-cache-'));
  try {
    for (const args of [['--help'], ['--max', 'abc']]) {
      await runCli('infra/cli/redrive.ts', args, { TMPDIR: tmp });
      const [cacheDir] = readdirSync(tmp).filter((name) => name.startsWith('tsx-'));
      const files = readdirSync(join(tmp, cacheDir ?? 'none'));
      expect(files.length).toBeGreaterThan(0);
      expect(files.filter((file) => statSync(join(tmp, cacheDir ?? 'none', file)).size === 0)).toEqual([]);
      rmSync(join(tmp, cacheDir ?? 'none'), { recursive: true });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// Each mistake and its line: test/unit/local/local-subscriber.test.ts; here, that npm start says it so.
it('npm start with a subscriber module that cannot be used is one line saying what is wrong (exit 2)', async () => {
  const { code, stderr } = await runCli(
    'infra/local/start.ts',
    ['--subscriber', 'test/fixtures/local-subscriber.ts#missing'],
    {
      PORT: '0',
      LOCAL_AWS_PORT: '0',
    },
  );
  expect(stderr).toMatch(
    /^error: --subscriber: test\/fixtures\/local-subscriber\.ts has no exported function missing \(its functions: onFriendEvent\)/,
  );
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(code).toBe(2);
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

describe('npm run deploy and npm run synth fail fast, in one line, before anything is synthesized', () => {
  const noCredentials = (home: string) => ({
    HOME: home,
    AWS_REGION: 'eu-west-1',
    AWS_PROFILE: undefined,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  });

  it('deploy without credentials: one line with the fix, exit 3, and no synth (no cdk.out)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'openim-friend-events-deploy-'));
    const before = existsSync('cdk.out') ? statSync('cdk.out').mtimeMs : undefined;
    try {
      const { code, stdout, stderr } = await runCli('infra/cli/deploy.ts', [], noCredentials(home));
      expect(stderr).toBe(
        'error: no AWS credentials: set AWS_PROFILE, run `aws configure` (or `aws sso login`), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n',
      );
      expect(stdout).toBe('');
      expect(code).toBe(3);
      expect(existsSync('cdk.out') ? statSync('cdk.out').mtimeMs : undefined).toBe(before);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('deploy without a region: one line (exit 3)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'openim-friend-events-deploy-'));
    try {
      const env = { ...noCredentials(home), AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined };
      const { code, stderr } = await runCli('infra/cli/deploy.ts', [], env);
      expect(stderr).toBe('error: no AWS region: set AWS_REGION, or a region in your AWS profile\n');
      expect(code).toBe(3);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  // Each setting's check: test/infra/settings-context.test.ts (checkSettings); here, that both CLIs make it first.
  it('deploy with a bad -c value: one line naming the setting, exit 2', async () => {
    const { code, stderr } = await runCli('infra/cli/deploy.ts', ['-c', 'maxBodyBytes=5'], {});
    expect(stderr).toBe(
      'error: invalid FriendEvents setting maxBodyBytes: expected a whole number from 1024 to 4194304, got 5\n',
    );
    expect(code).toBe(2);
  });

  it('synth with a bad reconciler setting: one line naming it, exit 2, before anything is bundled', async () => {
    const before = existsSync('cdk.out') ? statSync('cdk.out').mtimeMs : undefined;
    const { code, stdout, stderr } = await runCli('infra/cli/synth.ts', ['--context=openImApiUrl=ftp://x'], {});
    expect(stderr).toMatch(/^error: invalid Reconciler setting openImApiUrl: .*\n$/);
    expect(stdout).toBe('');
    expect(code).toBe(2);
    expect(existsSync('cdk.out') ? statSync('cdk.out').mtimeMs : undefined).toBe(before);
  });
});

it("npm start --help shows the OpenIM API stand-in's port, which is not OpenIM's own (10002), and its loopback address", () => {
  const { code, stdout } = helps.get('start') ?? { code: null, stdout: '' };
  expect(stdout).toMatch(
    /^ {2}OPENIM_STANDIN_PORT +the stand-in's port \(default 10302; OpenIM's own API is on 10002\)$/m,
  );
  expect(stdout).toMatch(
    /^ {2}OPENIM_STANDIN_HOST +the stand-in's address \(default 127\.0\.0\.1, whatever HOST says/m,
  );
  expect(code).toBe(0);
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
