import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliArguments, commandsIn, type DocCommand } from './doc-commands';

/**
 * Every npm command the README and `docs/` show can be run as shown: its script exists, its
 * options come after `--` (npm keeps the ones before for itself), and for this repository's CLIs,
 * `--help` exits 0 and names every option shown with it. One `--help` process per script.
 */
const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const DOCS = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name)),
];
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const shown: DocCommand[] = DOCS.flatMap((path) => commandsIn(read(path), path));

const helpOf = (args: string[]) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [...args, '--help'],
      { cwd: ROOT, timeout: 120_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }),
    );
  });

describe('the commands shown in the README and docs/', () => {
  it('are found (the README shows the quick start)', () => {
    const inReadme = shown.filter((command) => command.where.startsWith('README.md:')).map((command) => command.script);
    expect(inReadme).toEqual(expect.arrayContaining(['start', 'test', 'send', 'deploy', 'callback-url']));
  });

  it('run scripts that package.json has', () => {
    const missing = shown.filter((command) => !(command.script in scripts));
    expect(missing.map(({ where, text }) => `${where}: ${text}`)).toEqual([]);
  });

  it('give their options after `--`, where npm passes them on', () => {
    const misplaced = shown.filter((command) => command.optionsBeforeSeparator.length > 0);
    expect(misplaced.map(({ where, text }) => `${where}: ${text}`)).toEqual([]);
  });

  it("use only options that the command's --help names, and every --help exits 0", async () => {
    const clis = [...new Set(shown.map((command) => command.script))].flatMap((script) => {
      const args = script in scripts ? cliArguments(scripts[script] ?? '') : undefined;
      return args ? [{ script, args }] : [];
    });
    expect(clis.map(({ script }) => script)).toEqual(expect.arrayContaining(['start', 'send', 'reconcile']));
    // Two at a time: the machine may be small and busy; each is a short process on the runner.
    const helps = new Map<string, { code: number | null; output: string }>();
    const queue = [...clis];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) helps.set(next.script, await helpOf(next.args));
    };
    await Promise.all([worker(), worker()]);

    const problems: string[] = [];
    for (const { script } of clis) {
      const help = helps.get(script);
      if (help?.code !== 0) problems.push(`${script}: --help exited ${help?.code}: ${help?.output.slice(0, 300)}`);
    }
    for (const command of shown) {
      const help = helps.get(command.script);
      if (help?.code !== 0) continue;
      for (const option of command.options) {
        if (!new RegExp(`${option}(?![a-z0-9-])`).test(help.output)) {
          problems.push(`${command.where}: ${command.text}: ${option} is not in npm run ${command.script} -- --help`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
