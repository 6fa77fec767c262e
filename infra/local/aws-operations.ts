import { randomUUID } from 'node:crypto';
import type { WireReply } from './aws-wire';
import type { EventBridgeBus } from './eventbridge-bus';
import type { EventBridgeRules } from './eventbridge-rules';
import type { Fault, Operation } from './fault-control';
import type { SqsQueues } from './sqs-queues';

/**
 * Which service of the loopback endpoint answers which AWS JSON operation (`X-Amz-Target`), and
 * Secrets Manager's two operations. DescribeStacks speaks the Query protocol (`aws-emulator.ts`).
 */
export const TARGETS: Record<string, Operation> = {
  'AWSEvents.PutEvents': 'PutEvents',
  'AWSEvents.PutRule': 'PutRule',
  'AWSEvents.PutTargets': 'PutTargets',
  'AWSEvents.RemoveTargets': 'RemoveTargets',
  'AWSEvents.DeleteRule': 'DeleteRule',
  'AmazonSQS.CreateQueue': 'CreateQueue',
  'AmazonSQS.DeleteQueue': 'DeleteQueue',
  'AmazonSQS.SetQueueAttributes': 'SetQueueAttributes',
  'AmazonSQS.SendMessage': 'SendMessage',
  'AmazonSQS.ReceiveMessage': 'ReceiveMessage',
  'AmazonSQS.DeleteMessage': 'DeleteMessage',
  'AmazonSQS.DeleteMessageBatch': 'DeleteMessageBatch',
  'AmazonSQS.ChangeMessageVisibility': 'ChangeMessageVisibility',
  'AmazonSQS.ChangeMessageVisibilityBatch': 'ChangeMessageVisibilityBatch',
  'AmazonSQS.GetQueueAttributes': 'GetQueueAttributes',
  'secretsmanager.GetSecretValue': 'GetSecretValue',
  'secretsmanager.PutSecretValue': 'PutSecretValue',
};

export interface Services {
  bus: EventBridgeBus;
  rules: EventBridgeRules;
  sqs: SqsQueues;
  /** Secret id (name or ARN) to its current and, after a rotation, previous value. */
  secrets: Map<string, { current: string; previous?: string }>;
  /** The endpoint's base URL: queue URLs start with it. */
  endpoint: string;
}

type Body = Record<string, unknown>;

const HANDLERS: Record<
  Operation,
  (services: Services, body: Body, fault: Fault | undefined) => WireReply | Promise<WireReply>
> = {
  PutEvents: ({ bus }, body, fault) => bus.putEvents(body, fault),
  PutRule: ({ rules }, body) => rules.putRule(body),
  PutTargets: ({ rules }, body) => rules.putTargets(body),
  RemoveTargets: ({ rules }, body) => rules.removeTargets(body),
  DeleteRule: ({ rules }, body) => rules.deleteRule(body),
  CreateQueue: ({ sqs, endpoint }, body) => sqs.createQueue(body, endpoint),
  DeleteQueue: ({ sqs }, body) => sqs.deleteQueue(body),
  SetQueueAttributes: ({ sqs }, body) => sqs.setQueueAttributes(body),
  SendMessage: ({ sqs }, body) => sqs.sendMessage(body),
  ReceiveMessage: ({ sqs }, body) => sqs.receiveMessage(body),
  DeleteMessage: ({ sqs }, body) => sqs.deleteMessage(body),
  DeleteMessageBatch: ({ sqs }, body) => sqs.deleteMessageBatch(body),
  ChangeMessageVisibility: ({ sqs }, body) => sqs.changeMessageVisibility(body),
  ChangeMessageVisibilityBatch: ({ sqs }, body) => sqs.changeMessageVisibilityBatch(body),
  GetQueueAttributes: ({ sqs }, body) => sqs.getQueueAttributes(body),
  GetSecretValue: ({ secrets }, body) => getSecretValue(secrets, body),
  PutSecretValue: ({ secrets }, body) => putSecretValue(secrets, body),
  DescribeStacks: () => [
    400,
    { __type: 'UnknownOperationException', message: 'DescribeStacks speaks the Query protocol' },
  ],
};

/** Answers one operation (faults that act on the connection were applied before); a long poll answers later. */
export const operate = async (
  services: Services,
  operation: Operation,
  body: Body,
  fault: Fault | undefined,
): Promise<WireReply> => HANDLERS[operation](services, body, fault);

const getSecretValue = (secrets: Services['secrets'], body: Body): WireReply => {
  const id = String(body.SecretId);
  const secret = secrets.get(id);
  const stage = String(body.VersionStage ?? 'AWSCURRENT');
  const value = stage === 'AWSPREVIOUS' ? secret?.previous : secret?.current;
  if (value === undefined) {
    return [400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find ${stage} of ${id}` }];
  }
  return [200, { ARN: id, Name: id, SecretString: value, VersionId: randomUUID(), VersionStages: [stage] }];
};

/** A new current value of an existing secret; the value it replaces becomes the previous one. */
const putSecretValue = (secrets: Services['secrets'], body: Body): WireReply => {
  const id = String(body.SecretId);
  const secret = secrets.get(id);
  if (secret === undefined) {
    return [400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }];
  }
  if (typeof body.SecretString !== 'string') {
    return [
      400,
      { __type: 'InvalidParameterException', message: 'You must provide either SecretString or SecretBinary.' },
    ];
  }
  secrets.set(id, { current: body.SecretString, previous: secret.current });
  return [200, { ARN: id, Name: id, VersionId: randomUUID(), VersionStages: ['AWSCURRENT'] }];
};
