import { randomBytes } from 'node:crypto';
import {
  DeleteRuleCommand,
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FriendEvent } from '../../functions/contract/events';
import { describeError } from '../cli-kit/cli-errors';

/**
 * A subscriber of a deployed bus for as long as a smoke test lasts: a temporary rule matching one
 * operationID, delivering to a temporary SQS queue whose policy lets only that rule send, polled
 * until the event arrives. `remove()` deletes the target, the rule and the queue (call it in a
 * `finally` and on Ctrl-C, even while `start()` runs: it waits for that first); if a deletion
 * fails it says what is left and how to delete it.
 */
export interface BusWatch {
  ruleName: string;
  /** Creates the rule, the queue and the target; undoes what it made if a step fails. */
  start(): Promise<void>;
  /** The queue's URL, once started. */
  queueUrl(): string;
  /** The event of the operationID, or undefined when none arrived within `timeoutMs`. */
  next(timeoutMs: number): Promise<FriendEvent | undefined>;
  /** Deletes what `start()` made; resolves with a line per thing it could not delete. */
  remove(): Promise<string[]>;
}

export interface WatchTarget {
  eventBusName: string;
  /** `arn:<partition>:events:<region>:<account>:event-bus/<name>`: where the queue's ARN comes from. */
  eventBusArn: string;
  operationID: string;
}

const TARGET_ID = 'smoke-test-queue';
/** The queue keeps messages 10 minutes: if its deletion fails, the event does not linger. */
const RETENTION_SECONDS = '600';
/** SQS long-polls at most 20 s; an endpoint that answers at once is asked again after this pause. */
const MIN_POLL_INTERVAL_MS = 200;

/** The queue's ARN, in the bus's partition, region and account. */
const queueArnFor = (eventBusArn: string, queueName: string): string => {
  const [, partition, , region, account] = eventBusArn.split(':');
  if (!partition || !region || !account) throw new Error(`not an event bus ARN: ${eventBusArn}`);
  return `arn:${partition}:sqs:${region}:${account}:${queueName}`;
};

/** The queue policy EventBridge needs for an SQS target: send, from this rule only. */
export const queuePolicy = (queueArn: string, ruleArn: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EventBridgeSmokeTestRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  });

export const busWatch = (clients: { events: EventBridgeClient; sqs: SQSClient }, target: WatchTarget): BusWatch => {
  const name = `openim-friend-events-smoke-${randomBytes(6).toString('hex')}`;
  const { events, sqs } = clients;
  const bus = { EventBusName: target.eventBusName };
  /** What may exist: `rule` from the moment PutRule is sent (an answer lost on the way still made it). */
  const made = { rule: false, queueUrl: '' };
  let starting: Promise<void> | undefined;

  const remove = async (): Promise<string[]> => {
    await starting?.catch(() => undefined);
    const problems: string[] = [];
    const attempt = async (what: string, fix: string, action: () => Promise<unknown>) => {
      try {
        await action();
      } catch (error) {
        // Already gone (or never made): nothing is left.
        if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
        problems.push(`could not delete the temporary ${what} (${describeError(error)}): ${fix}`);
      }
    };
    if (made.rule) {
      // The target goes first: EventBridge refuses to delete a rule that has one.
      await attempt(
        'rule target',
        `aws events remove-targets --event-bus-name ${target.eventBusName} --rule ${name} --ids ${TARGET_ID}`,
        () => events.send(new RemoveTargetsCommand({ ...bus, Rule: name, Ids: [TARGET_ID] })),
      );
      await attempt('rule', `aws events delete-rule --event-bus-name ${target.eventBusName} --name ${name}`, () =>
        events.send(new DeleteRuleCommand({ ...bus, Name: name })),
      );
    }
    if (made.queueUrl) {
      await attempt('queue', `aws sqs delete-queue --queue-url ${made.queueUrl}`, () =>
        sqs.send(new DeleteQueueCommand({ QueueUrl: made.queueUrl })),
      );
    }
    Object.assign(made, { rule: false, queueUrl: '' });
    return problems;
  };

  const create = async (): Promise<void> => {
    made.rule = true;
    const { RuleArn = '' } = await events.send(
      new PutRuleCommand({
        ...bus,
        Name: name,
        Description: 'Temporary: npm run send --expect-event (deleted when it ends)',
        EventPattern: JSON.stringify({ detail: { operationID: [target.operationID] } }),
        State: 'ENABLED',
      }),
    );
    // The policy goes in with CreateQueue: a policy set later can take up to a minute to apply.
    const queueArn = queueArnFor(target.eventBusArn, name);
    const { QueueUrl = '' } = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { Policy: queuePolicy(queueArn, RuleArn), MessageRetentionPeriod: RETENTION_SECONDS },
      }),
    );
    made.queueUrl = QueueUrl;
    const { FailedEntryCount = 0, FailedEntries = [] } = await events.send(
      new PutTargetsCommand({ ...bus, Rule: name, Targets: [{ Id: TARGET_ID, Arn: queueArn }] }),
    );
    if (FailedEntryCount > 0) throw new Error(`PutTargets failed: ${FailedEntries[0]?.ErrorMessage ?? 'unknown'}`);
  };

  const start = async (): Promise<void> => {
    starting = create();
    try {
      await starting;
    } catch (error) {
      starting = undefined;
      await remove();
      throw error;
    }
  };

  const next = async (timeoutMs: number): Promise<FriendEvent | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const started = Date.now();
      const waitSeconds = Math.max(0, Math.min(20, Math.floor((deadline - started) / 1000)));
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: made.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
      );
      const event = Messages.map((message) => JSON.parse(message.Body ?? '{}') as FriendEvent).find(
        (candidate) => candidate.detail?.operationID === target.operationID,
      );
      if (event) return event;
      const elapsed = Date.now() - started;
      if (elapsed < MIN_POLL_INTERVAL_MS)
        await new Promise((resolve) => setTimeout(resolve, MIN_POLL_INTERVAL_MS - elapsed));
    }
    return undefined;
  };

  return { ruleName: name, start, queueUrl: () => made.queueUrl, next, remove };
};
