import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { isFriendEvent } from '../../functions/contract/events';
import { AwsEmulator } from '../../infra/local/aws-emulator';

/**
 * EventBridge rules with SQS targets on the loopback endpoint, through the real SDK clients, as a
 * temporary subscriber makes them: a queue with the policy EventBridge needs, a rule, a target,
 * and the envelope a subscriber receives; then everything removed again.
 */
const emulator = new AwsEmulator();
let events: EventBridgeClient;
let sqs: SQSClient;
const BUS = 'bus';

beforeAll(async () => {
  await emulator.start();
  const config = { endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1 };
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
});
afterAll(() => emulator.stop());

const policyFor = (queueArn: string, ruleArn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  });

const subscribe = async (name: string, pattern: object, policy?: (queueArn: string, ruleArn: string) => string) => {
  const { RuleArn = '' } = await events.send(
    new PutRuleCommand({ Name: name, EventBusName: BUS, EventPattern: JSON.stringify(pattern) }),
  );
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn ?? '';
  if (policy) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy(queueArn, RuleArn) } }));
  }
  await events.send(
    new PutTargetsCommand({ Rule: name, EventBusName: BUS, Targets: [{ Id: 'queue', Arn: queueArn }] }),
  );
  return { ruleArn: RuleArn, queueUrl: QueueUrl };
};

const put = (operationID: string, extra: object = {}) =>
  events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: BUS,
          Source: 'openim',
          DetailType: 'AfterAddFriend',
          Detail: JSON.stringify({ schemaVersion: 1, operationID, ...extra }),
        },
      ],
    }),
  );

const bodies = async (queueUrl: string) =>
  ((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))).Messages ?? []).map(
    (message) => JSON.parse(message.Body ?? '') as Record<string, unknown>,
  );

describe('rules with SQS targets', () => {
  it('deliver the events matching the pattern to a queue whose policy allows the rule, as the envelope', async () => {
    const { ruleArn, queueUrl } = await subscribe('smoke', { detail: { operationID: ['op-1'] } }, policyFor);
    expect(ruleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/bus/smoke');
    await put('op-1', { synthetic: true });
    await put('op-2');
    const received = await bodies(queueUrl);
    expect(received).toHaveLength(1);
    expect(isFriendEvent(received[0])).toBe(true);
    expect(received[0]).toMatchObject({
      'detail-type': 'AfterAddFriend',
      source: 'openim',
      resources: [],
      detail: { operationID: 'op-1', synthetic: true },
    });
  });

  it('deliver nothing to a queue without the policy, or with one for another rule, and say why', async () => {
    const bare = await subscribe('bare', { detail: { operationID: ['op-3'] } });
    const other = await subscribe('other', { detail: { operationID: ['op-3'] } }, (queueArn) =>
      policyFor(queueArn, 'arn:aws:events:us-east-1:000000000000:rule/bus/another-rule'),
    );
    await put('op-3');
    expect(await bodies(bare.queueUrl)).toEqual([]);
    expect(await bodies(other.queueUrl)).toEqual([]);
    expect(emulator.undelivered.filter(({ rule }) => rule === 'bare' || rule === 'other')).toEqual([
      { rule: 'bare', target: 'queue', reason: "the queue's policy does not let EventBridge send for this rule" },
      { rule: 'other', target: 'queue', reason: "the queue's policy does not let EventBridge send for this rule" },
    ]);
  });

  it('are removed as on AWS: targets first, then the rule; and the queue with DeleteQueue', async () => {
    const { queueUrl } = await subscribe('temporary', { source: ['openim'] }, policyFor);
    await expect(events.send(new DeleteRuleCommand({ Name: 'temporary', EventBusName: BUS }))).rejects.toThrow(
      "Rule can't be deleted since it has targets.",
    );
    await events.send(new RemoveTargetsCommand({ Rule: 'temporary', EventBusName: BUS, Ids: ['queue'] }));
    await events.send(new DeleteRuleCommand({ Name: 'temporary', EventBusName: BUS }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    expect(emulator.ruleNames(BUS)).not.toContain('temporary');
    expect(emulator.queueUrls()).not.toContain(queueUrl);
    await expect(
      events.send(new RemoveTargetsCommand({ Rule: 'temporary', EventBusName: BUS, Ids: ['queue'] })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuse a pattern EventBridge refuses, with its error', async () => {
    await expect(
      events.send(new PutRuleCommand({ Name: 'bad', EventBusName: BUS, EventPattern: '{"source": "openim"}' })),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });
});
