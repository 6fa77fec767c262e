import { parseArgs } from 'node:util';
import { exitProcess } from './exit-process';

/**
 * The options of the project's CLIs in one place: typed specs, `--help`/`-h`, and one-line usage
 * errors (exit code 2). Each CLI lists the exit codes it can produce (`exitCodes`), and only those.
 */

export const EXIT = { ok: 0, partlyFailed: 1, usage: 2, aws: 3, interrupted: 130 } as const;

/** The usual meaning of each code; a CLI may say it more precisely. */
export const EXIT_MEANING = {
  ok: 'success',
  partlyFailed: 'ran, but not everything succeeded (see the output)',
  usage: 'usage error: a wrong or missing option',
  aws: 'AWS or configuration error (region, credentials, stack not found, ...)',
} as const;

/** Exit code to what it means for this command. */
export type ExitCodes = Partial<Record<(typeof EXIT)[keyof typeof EXIT], string>>;

interface StringOption {
  kind: 'string';
  description: string;
  placeholder: string;
  default?: string;
  required?: boolean;
  choices?: readonly string[];
}
interface IntegerOption {
  kind: 'integer';
  description: string;
  placeholder: string;
  min: number;
  max: number;
  default?: number;
  required?: boolean;
}
/** A string option that may be given several times (`--user a --user b`): every value, in order. */
interface StringListOption {
  kind: 'strings';
  description: string;
  placeholder: string;
}
interface FlagOption {
  kind: 'flag';
  description: string;
}
/** An http(s) URL. A wrong one is never echoed: a callback URL holds the secret token. */
interface UrlOption {
  kind: 'url';
  description: string;
  placeholder: string;
  /** Shown in the usage error, e.g. `https://<api>/openim/<token>`. */
  example: string;
  default?: string;
  required?: boolean;
}
export type OptionSpec = StringOption | StringListOption | IntegerOption | FlagOption | UrlOption;

// Generic over the options so that `default` and `required` reach the value types.
export const string = <
  const X extends Omit<StringOption, 'kind' | 'description' | 'placeholder'> & { placeholder?: string },
>(
  description: string,
  options: X = {} as X,
): StringOption & X => ({ kind: 'string', description, placeholder: 'value', ...options });

export const integer = <
  const X extends Omit<IntegerOption, 'kind' | 'description' | 'placeholder'> & { placeholder?: string },
>(
  description: string,
  options: X,
): IntegerOption & X => ({ kind: 'integer', description, placeholder: 'n', ...options });

export const strings = (description: string, placeholder = 'value'): StringListOption => ({
  kind: 'strings',
  description,
  placeholder,
});

export const flag = (description: string): FlagOption => ({ kind: 'flag', description });

export const url = <const X extends Omit<UrlOption, 'kind' | 'description' | 'placeholder'> & { placeholder?: string }>(
  description: string,
  options: X,
): UrlOption & X => ({ kind: 'url', description, placeholder: 'url', ...options });

/** The `--region` option of every CLI that calls AWS. */
export const regionOption = () =>
  string('AWS region (default: AWS_REGION, or your AWS config)', { placeholder: 'region' });

export interface CliSpec<O extends Record<string, OptionSpec>> {
  /** The usage line, e.g. `npm run redrive -- --stack <name>`. */
  usage: string;
  description: string;
  options: O;
  /** Extra lines for `--help` (environment variables, examples). */
  notes?: string;
  /** Every exit code this command can produce, with its meaning here. */
  exitCodes: ExitCodes;
}

type ValueOf<S extends OptionSpec> = S extends FlagOption
  ? boolean
  : S extends StringListOption
    ? string[]
    : S extends IntegerOption
      ? S extends { default: number } | { required: true }
        ? number
        : number | undefined
      : S extends { default: string } | { required: true }
        ? string
        : string | undefined;
export type CliValues<O extends Record<string, OptionSpec>> = { [K in keyof O]: ValueOf<O[K]> };

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `argv` against the spec (pure): `help` when asked, else the values; throws `UsageError`. */
export const parseCli = <O extends Record<string, OptionSpec>>(
  spec: CliSpec<O>,
  argv: string[],
): { help: true } | { help: false; values: CliValues<O> } => {
  let parsed: ReturnType<typeof parseArgs>['values'];
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          Object.entries(spec.options).map(([name, option]) => [
            name,
            { type: option.kind === 'flag' ? 'boolean' : 'string', multiple: option.kind === 'strings' },
          ]),
        ),
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new UsageError(message.replace(/^\w+ \[ERR_\w+\]: /, ''));
  }
  if (parsed.help) return { help: true };
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    values[name] = readOption(name, option, parsed[name]);
  }
  return { help: false, values: values as CliValues<O> };
};

const readOption = (name: string, option: OptionSpec, raw: unknown): unknown => {
  if (option.kind === 'flag') return raw === true;
  if (option.kind === 'strings') {
    const list = (raw ?? []) as string[];
    if (list.some((text) => text === '')) throw new UsageError(`--${name} must not be empty`);
    return list;
  }
  if (raw === undefined) {
    if (option.required) throw new UsageError(`--${name} is required: ${option.description}`);
    return option.default;
  }
  const text = String(raw);
  if (option.kind === 'url') {
    if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
      throw new UsageError(`--${name} must be an http(s) URL such as ${option.example} (the value given is not one)`);
    }
    return text;
  }
  if (option.kind === 'string') {
    if (text === '') throw new UsageError(`--${name} must not be empty`);
    if (option.choices && !option.choices.includes(text)) {
      throw new UsageError(`--${name} must be one of ${option.choices.join(', ')} (got "${text}")`);
    }
    return text;
  }
  const number = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < option.min || number > option.max) {
    throw new UsageError(`--${name} must be a whole number from ${option.min} to ${option.max} (got "${text}")`);
  }
  return number;
};

/** The `--help` text: usage, description, options, notes and exit codes. */
export const helpText = (spec: CliSpec<Record<string, OptionSpec>>): string => {
  const rows = [
    ...Object.entries(spec.options).map(([name, option]) => {
      const left = option.kind === 'flag' ? `--${name}` : `--${name} <${option.placeholder}>`;
      const extras = [
        option.kind === 'strings' ? 'repeatable' : '',
        option.kind !== 'flag' && option.kind !== 'strings' && option.required ? 'required' : '',
        option.kind === 'string' && option.choices ? `one of: ${option.choices.join(', ')}` : '',
        option.kind === 'integer' ? `${option.min} to ${option.max}` : '',
        option.kind !== 'flag' && option.kind !== 'strings' && option.default !== undefined
          ? `default: ${option.default}`
          : '',
      ].filter(Boolean);
      return [left, `${option.description}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`] as const;
    }),
    ['-h, --help', 'show this help'] as const,
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `usage: ${spec.usage}`,
    '',
    spec.description,
    '',
    'options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    ...(spec.notes ? ['', spec.notes] : []),
    '',
    'exit codes:',
    ...Object.entries(spec.exitCodes)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([code, meaning]) => `  ${code.padEnd(3)} ${meaning}`),
  ].join('\n');
};

/** One-line usage error plus the usage line, on stderr; exit code 2. */
export const exitWithUsageError = (spec: CliSpec<Record<string, OptionSpec>>, message: string): Promise<never> => {
  console.error(`error: ${message}\nusage: ${spec.usage}`);
  return exitProcess(EXIT.usage);
};

/** The CLI's options from `process.argv`: prints help (exit 0) or a usage error (exit 2) itself. */
export const cliArgs = async <O extends Record<string, OptionSpec>>(
  spec: CliSpec<O>,
  argv = process.argv.slice(2),
): Promise<CliValues<O>> => {
  try {
    const result = parseCli(spec, argv);
    if (!result.help) return result.values;
    console.log(helpText(spec));
    return await exitProcess(EXIT.ok);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return exitWithUsageError(spec, error.message);
  }
};
