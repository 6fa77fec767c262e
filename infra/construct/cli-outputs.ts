import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';

/** An output by the key a `--stack` command looks up (`npm run send`, `redrive`, `graph`, ...). */
export interface CliOutput {
  readonly value: string;
  readonly description?: string;
}

/** The path of the construct that made each output, for the refusal of a second one. */
const makers = new WeakMap<IConstruct, string>();

/**
 * Refuses, before `owner` makes anything, a second set of these outputs in its stack: their keys
 * are fixed (the commands read them by name), so one construct of a kind per stack can have them.
 * `construct` names the kind in the message.
 */
export const checkCliOutputsFree = (owner: Construct, keys: readonly string[], construct: string): void => {
  const stack = Stack.of(owner);
  const taken = keys.flatMap((key) => stack.node.tryFindChild(key) ?? []);
  const [first] = taken;
  if (!first) return;
  throw new Error(
    `invalid ${construct} setting stackOutputs: stack ${stack.stackName} already has the outputs of ${makers.get(first) ?? 'another construct'} (${taken.map((output) => output.node.id).join(', ')}) that the --stack commands read; set stackOutputs: false on ${owner.node.path}, or put it in a stack of its own`,
  );
};

/**
 * Makes the outputs at the top of `owner`'s stack, so their logical IDs are exactly the keys the
 * commands read, whether the construct sits in `FriendEventsStack` or in a stack of your own.
 */
export const addCliOutputs = (owner: Construct, outputs: Record<string, CliOutput>): void => {
  const stack = Stack.of(owner);
  for (const [key, output] of Object.entries(outputs)) makers.set(new CfnOutput(stack, key, output), owner.node.path);
};
