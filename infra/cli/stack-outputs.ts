import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError } from '../cli-kit/cli-errors';

/** The outputs of a deployed stack, read with the caller's own AWS credentials. */
export const stackOutputs = async (stackName: string): Promise<Record<string, string>> => {
  const client = new CloudFormationClient({});
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Stacks[0]?.Outputs ?? [];
    return Object.fromEntries(outputs.map(({ OutputKey = '', OutputValue = '' }) => [OutputKey, OutputValue]));
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      const region = await client.config.region();
      throw new CliError(`stack ${stackName} does not exist in region ${region}: check --stack and --region`);
    }
    throw error;
  }
};

export const requireOutput = (outputs: Record<string, string>, key: string, stackName: string): string => {
  const value = outputs[key];
  if (!value) throw new CliError(`stack ${stackName} has no output ${key}: is it an openim-friend-events stack?`);
  return value;
};
