import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { App, Duration } from 'aws-cdk-lib';
import { EXIT } from '../cli-kit/cli-args';
import { CliError, describeError } from '../cli-kit/cli-errors';
import { type ReconcilerContext, resolveReconcilerSettings } from '../construct/reconciler-settings';
import { settingErrorLine, stackSettingsFromContext } from '../construct/stack-context';
import { cdkJsonContext, contextInArgs } from './cdk-cli';

/**
 * What `npm run synth` and `npm run deploy` check before they hand over to the CDK CLI, so that a
 * mistake costs seconds and one line, not a full synth and a stack trace: the settings (exit 2),
 * and for a deploy the AWS region and credentials (exit 3).
 */

/**
 * Checks every setting as `infra/app.ts` will read it, the reconciler's by the rules its construct
 * applies (the stack checks those only while building it, after the functions are bundled);
 * throws a usage `CliError` with the one line.
 */
export const checkSettings = (args: string[]): void => {
  try {
    const { props } = stackSettingsFromContext(new App({ context: { ...cdkJsonContext(), ...contextInArgs(args) } }));
    if (props.reconciler) checkReconcilerSettings(props.reconciler);
  } catch (error) {
    const line = settingErrorLine(error);
    if (line === undefined) throw error;
    throw new CliError(line, EXIT.usage);
  }
};

/** The reconciler's context as the stack hands it to its construct (the secret and the VPC are imports, checked above). */
const checkReconcilerSettings = ({ maxHours, ...context }: ReconcilerContext): void => {
  resolveReconcilerSettings({
    openImApiUrl: context.openImApiUrl,
    openImAdminUserID: context.openImAdminUserID,
    schedule: context.schedule,
    callsPerSecond: context.callsPerSecond,
    concurrency: context.concurrency,
    driftAlarmThreshold: context.driftAlarmThreshold,
    ...(maxHours === undefined ? {} : { maxDuration: Duration.hours(maxHours) }),
  });
};

/** Resolves the region and credentials the CDK CLI will use (`--profile` included) and proves them with one STS call. */
export const checkAwsAccess = async (args: string[]): Promise<string> => {
  const profile = args[args.indexOf('--profile') + 1];
  if (args.includes('--profile') && profile) process.env.AWS_PROFILE = profile;
  try {
    const identity = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
    return identity.Account ?? '';
  } catch (error) {
    const line = describeError(error);
    // The CDK CLI takes no --region: only the environment or the profile can give one.
    throw new CliError(
      line.startsWith('no AWS region') ? 'no AWS region: set AWS_REGION, or a region in your AWS profile' : line,
      EXIT.aws,
    );
  }
};
