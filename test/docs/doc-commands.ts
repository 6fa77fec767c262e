import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The npm commands a reader of the README and `docs/` is told to run, found in fenced code blocks
 * and in code spans: `npm start`, `npm test` and `npm run <script>`, each with the options it is
 * shown with. Everything but `commandsShown` and `packageScripts` (which read this repository) is pure.
 */
export interface DocCommand {
  /** Where it is shown, `file:line`. */
  where: string;
  /** The script of package.json it runs. */
  script: string;
  /** The `--options` shown after `--`, which npm hands to the script. */
  options: string[];
  /** Options shown before `--`: npm takes them itself and the script never sees them. */
  optionsBeforeSeparator: string[];
  text: string;
}

const OPTION = /^[[(]*(--[a-z][a-z0-9-]*)/;
/** A command as typed: `npm start`, `npm test` or `npm run <script>`, after any `NAME=value` assignments. */
const TYPED = /^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(npm (?:run|start|test)\b.*)$/;

/** The commands typed on one line of shell: split at `&&` and `;`, each up to a `#` comment. */
const commandsOnLine = (line: string): string[] =>
  line
    .split(/&&|;/)
    .map((part) => part.replace(/(^|\s)#.*$/, '').trim())
    .flatMap((part) => TYPED.exec(part)?.[1] ?? []);

const parse = (text: string, where: string): DocCommand => {
  const tokens = text.split(/\s+/);
  const [, verb, name, ...afterName] = tokens;
  // A script's name ends where prose punctuation starts: `(...; npm run redrive)`.
  const script = verb === 'run' ? (/^[\w:.-]*/.exec(name ?? '')?.[0] ?? '') : (verb ?? '');
  const args = verb === 'run' ? afterName : [name ?? '', ...afterName].filter(Boolean);
  const separator = args.findIndex((token) => token.replace(/^[[(]+/, '') === '--');
  const optionsIn = (part: string[]) =>
    part.map((token) => OPTION.exec(token)?.[1]).filter((option): option is string => option !== undefined);
  return {
    where,
    script,
    options: separator < 0 ? [] : optionsIn(args.slice(separator + 1)),
    optionsBeforeSeparator: optionsIn(separator < 0 ? args : args.slice(0, separator)),
    text,
  };
};

const SHELL_FENCE = /^[ \t]*(```|~~~)(bash|sh|shell|console)?[ \t]*\n([\s\S]*?)^[ \t]*\1[ \t]*$/gm;
const ANY_FENCE = /^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?^[ \t]*\1[ \t]*$/gm;

/**
 * Every npm command in one Markdown file, where a reader would type it: on the lines of a shell
 * code block (one without a language, or bash, sh, shell, console; in a list item too) and as a
 * whole code span.
 */
export const commandsIn = (markdown: string, file: string): DocCommand[] => {
  const lineOf = (offset: number) => markdown.slice(0, offset).split('\n').length;
  const commands: DocCommand[] = [];
  for (const match of markdown.matchAll(SHELL_FENCE)) {
    const bodyStart = match.index + match[0].indexOf('\n') + 1;
    const lines = (match[3] ?? '').split('\n');
    for (let index = 0, line = lineOf(bodyStart); index < lines.length; index++, line++) {
      let text = lines[index] ?? '';
      const where = `${file}:${line}`;
      while (text.endsWith('\\') && index + 1 < lines.length) {
        text = `${text.slice(0, -1)} ${lines[++index]}`;
        line++;
      }
      for (const command of commandsOnLine(text)) commands.push(parse(command, where));
    }
  }
  // Code spans in the prose, every fence blanked out (offsets kept, so line numbers stay right).
  const prose = markdown.replace(ANY_FENCE, (fence) => fence.replace(/[^\n]/g, ' '));
  for (const match of prose.matchAll(/(`+)([^`]+?)\1/g)) {
    const span = (match[2] ?? '').replace(/\\\|/g, '|').replace(/\s+/g, ' ').trim();
    const command = TYPED.exec(span)?.[1];
    if (command) commands.push(parse(command, `${file}:${lineOf(match.index)}`));
  }
  return commands;
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Every npm command the README and the pages of `docs/` show. */
export const commandsShown = (): DocCommand[] =>
  [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => join('docs', name)),
  ].flatMap((path) => commandsIn(read(path), path));

/** package.json's scripts, by name. */
export const packageScripts = (): Record<string, string> =>
  (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** Which scripts are this repository's CLIs, run through the Node.js 24 runner: the arguments after `node`. */
export const cliArguments = (scriptCommand: string): string[] | undefined => {
  const tokens = scriptCommand.trim().split(/\s+/);
  const runner = tokens.indexOf('infra/build/node24.mjs');
  const file = tokens[runner + 1];
  if (tokens[0] !== 'node' || runner < 0 || file === undefined || !file.endsWith('.ts')) return undefined;
  return tokens.slice(1);
};
