import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** The outputs of a deployed stack, read with the caller's own AWS credentials. */
export const stackOutputs = async (stackName: string): Promise<Record<string, string>> => {
  const client = new CloudFormationClient({});
  const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Stacks[0]?.Outputs ?? [];
  return Object.fromEntries(outputs.map(({ OutputKey = '', OutputValue = '' }) => [OutputKey, OutputValue]));
};

export const requireOutput = (outputs: Record<string, string>, key: string, stackName: string): string => {
  const value = outputs[key];
  if (!value) throw new Error(`stack ${stackName} has no output ${key}: is it an openim-friend-events stack?`);
  return value;
};
