import { commandsShown, packageScripts } from './doc-commands';

/**
 * Every npm command the README and `docs/` show can be run as shown: its script exists and its
 * options come after `--` (npm keeps the ones before for itself). That each option is one its CLI's
 * `--help` names is checked where every CLI runs once with `--help`, test/e2e/cli.test.ts.
 */
const scripts = packageScripts();
const shown = commandsShown();

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
});
