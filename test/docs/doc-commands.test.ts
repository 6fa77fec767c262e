import { cliArguments, commandsIn } from './doc-commands';

/** The extraction the docs' command test stands on (pure). */
describe('commandsIn', () => {
  const fenced = (code: string) => `text\n\n\`\`\`bash\n${code}\n\`\`\`\n`;

  it('finds npm start, npm test and npm run <script> in fenced blocks, with the options after --', () => {
    const commands = commandsIn(
      fenced(
        [
          'npm ci',
          'npm start     # runs it locally --not-an-option',
          'npm test -- test/unit',
          'AWS_REGION=eu-west-1 npm run integ -- --deploy   # about 15 min',
          'npm run reconcile -- --local && npm run graph -- --local --user 3958741620 --json',
        ].join('\n'),
      ),
      'doc.md',
    );
    expect(commands.map(({ script, options, where }) => ({ script, options, where }))).toEqual([
      { script: 'start', options: [], where: 'doc.md:5' },
      { script: 'test', options: [], where: 'doc.md:6' },
      { script: 'integ', options: ['--deploy'], where: 'doc.md:7' },
      { script: 'reconcile', options: ['--local'], where: 'doc.md:8' },
      { script: 'graph', options: ['--local', '--user', '--json'], where: 'doc.md:8' },
    ]);
  });

  it('finds commands in code spans, table cells with escaped pipes included, once each', () => {
    const markdown = [
      'Run `npm run send -- --url <url> --expect-event` first.',
      '| `npm run redrive -- (--stack <name> \\| --from <url> --to <url>) [--max <n>]` | moves |',
      '```',
      'npm run pack',
      '```',
    ].join('\n');
    expect(commandsIn(markdown, 'doc.md').map(({ script, options, where }) => ({ script, options, where }))).toEqual([
      { script: 'pack', options: [], where: 'doc.md:4' },
      { script: 'send', options: ['--url', '--expect-event'], where: 'doc.md:1' },
      { script: 'redrive', options: ['--stack', '--from', '--to', '--max'], where: 'doc.md:2' },
    ]);
  });

  it('reads only what a reader types: shell blocks, whole code spans, not code comments or prose', () => {
    const markdown = [
      '```ts',
      "friendEvents.onFriendRequest('SmokeTests', target); // npm run send's too",
      '```',
      '```',
      'infra/build/   npm run pack: the packages',
      '```',
      'A span that only mentions `the npm run pack output`.',
    ].join('\n');
    expect(commandsIn(markdown, 'doc.md')).toEqual([]);
  });

  it('tells options shown before `--`, which npm keeps for itself', () => {
    const [command] = commandsIn('`npm run send --expect-event` deletes its rule', 'doc.md');
    expect(command).toMatchObject({ script: 'send', options: [], optionsBeforeSeparator: ['--expect-event'] });
  });

  it('finds commands in a code block indented under a list item', () => {
    const markdown = ['- **Start over.** Stop it, then:', '', '  ```bash', '  npm run local:reset', '  ```'].join('\n');
    expect(commandsIn(markdown, 'doc.md').map(({ script, where }) => ({ script, where }))).toEqual([
      { script: 'local:reset', where: 'doc.md:4' },
    ]);
  });

  it('follows a command over a continued line', () => {
    const [command] = commandsIn(fenced('npm run send -- --stack OpenImFriendEvents \\\n  --expect-event'), 'doc.md');
    expect(command?.options).toEqual(['--stack', '--expect-event']);
  });
});

describe('cliArguments', () => {
  it("is the runner's arguments for a TypeScript CLI run through infra/build/node24.mjs", () => {
    expect(cliArguments('node infra/build/node24.mjs infra/cli/send.ts')).toEqual([
      'infra/build/node24.mjs',
      'infra/cli/send.ts',
    ]);
    expect(cliArguments('node --expose-gc infra/build/node24.mjs test/bench/reconciler.ts')).toEqual([
      '--expose-gc',
      'infra/build/node24.mjs',
      'test/bench/reconciler.ts',
    ]);
  });

  it('is undefined for a script that is not one of the CLIs (lint, tsc, the test runner)', () => {
    expect(cliArguments('biome check .')).toBeUndefined();
    expect(cliArguments('tsc -p .')).toBeUndefined();
    expect(cliArguments('node infra/build/node24.mjs infra/build/run-tests.mjs')).toBeUndefined();
  });
});
