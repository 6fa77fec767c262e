import { parseArgs } from 'node:util';

/** `--name value` options of the project's CLIs, with a usage line on error. */
export const cliArgs = <T extends Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>>(
  options: T,
  usage: string,
) => {
  try {
    return parseArgs({ options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\nusage: ${usage}`);
    process.exit(2);
  }
};
