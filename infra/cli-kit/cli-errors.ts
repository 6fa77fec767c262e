import { EXIT } from './cli-args';
import { exitProcess } from './exit-process';

/**
 * What a CLI prints when it fails: one readable line with the fix, never a stack trace, and the
 * exit code (see `EXIT` and each CLI's `exitCodes`).
 */

/** A failure the CLI already explains in its message. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.aws,
  ) {
    super(message);
  }
}

/** The one line to print for an error (pure). */
export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof CliError) return error.message;
  if (/Region is missing/i.test(error.message)) return 'no AWS region: set AWS_REGION or pass --region';
  if (error.name === 'CredentialsProviderError' || /Could not load credentials/i.test(error.message)) {
    return 'no AWS credentials: set AWS_PROFILE, run `aws configure` (or `aws sso login`), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  const firstLine = error.message.split('\n')[0];
  return error.name === 'Error' ? `${firstLine}` : `${error.name}: ${firstLine}`;
};

/** Runs a CLI's work: its result is the exit code; any error becomes one line on stderr. */
export const runMain = async (main: () => Promise<number>): Promise<never> => {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    console.error(`error: ${describeError(error)}`);
    code = error instanceof CliError ? error.exitCode : EXIT.aws;
  }
  return exitProcess(code);
};

/** `--region` wins over the environment: the SDK clients read AWS_REGION. */
export const useRegion = (region: string | undefined): void => {
  if (region) process.env.AWS_REGION = region;
};
