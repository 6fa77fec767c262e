import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { type FriendEvent, isFriendEvent } from '../../functions/contract/events';
import { friendEventPattern } from '../../functions/contract/rule-pattern';
import { AwsEmulator } from '../../infra/local/aws-emulator';
import { dynamoDbProxy } from '../../infra/local/dynamodb-proxy';
import { parseEventPattern } from '../../infra/local/event-pattern';
import { LocalRules } from '../../infra/local/event-rules';
import { LocalStepFunctions } from '../../infra/local/step-functions';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';

/** What the loopback endpoint gained for the whole local system, through the real SDK clients. */
let emulator: AwsEmulator;
let dynamo: LocalDynamoDb;
const stepFunctions = new LocalStepFunctions();
const rules = new LocalRules([1, 1]);
const config = () => ({ endpoint: emulator.url, region: 'us-east-1' });

beforeAll(async () => {
  emulator = new AwsEmulator();
  await emulator.start();
  dynamo = await startLocalDynamoDb();
  emulator.serve('DynamoDB_20120810.', dynamoDbProxy(dynamo.endpoint));
  emulator.serve('AWSStepFunctions.', stepFunctions.serve);
  emulator.onEvent(rules.deliver);
});
afterAll(async () => {
  await stepFunctions.settled();
  await emulator.stop();
  await dynamo.stop();
});

const wait = async (sfn: SFNClient, executionArn: string | undefined) => {
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('Step Functions on the loopback endpoint', () => {
  const definition = {
    StartAt: 'Work',
    States: {
      Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:work', End: true },
    },
  };
  const stateMachineArn = stepFunctions.register('echo', definition, {
    Work: async (input) => {
      if ((input as { fail?: boolean }).fail) throw Object.assign(new Error('it broke'), { name: 'Broken' });
      return { echoed: input };
    },
  });

  it('starts an execution and describes it until it ends, with its output', async () => {
    const sfn = new SFNClient(config());
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'run-1', input: '{"n":1}' }),
    );
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:echo:run-1');
    const execution = await wait(sfn, executionArn);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', name: 'run-1', output: '{"echoed":{"n":1}}' });
    expect(execution.startDate).toBeInstanceOf(Date);
  });

  it('reports a failed execution with its error and cause', async () => {
    const sfn = new SFNClient(config());
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"fail":true}' }));
    expect(await wait(sfn, executionArn)).toMatchObject({ status: 'FAILED', error: 'Broken', cause: 'it broke' });
  });

  it('answers as Step Functions does for an unknown state machine, a reused name, an unknown execution', async () => {
    const sfn = new SFNClient(config());
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}-nope`, input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{}' }));
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${stateMachineArn}:nope` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });
});

describe('DynamoDB on the loopback endpoint', () => {
  it('is the local DynamoDB, reached through the one endpoint', async () => {
    const tableName = await dynamo.createFriendGraphTable();
    const client = new DynamoDBClient(config());
    const Key = { ownerUserID: { S: 'a' }, otherUserID: { S: 'b' } };
    await client.send(new PutItemCommand({ TableName: tableName, Item: { ...Key, state: { S: 'friends' } } }));
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key }));
    expect(Item?.state).toEqual({ S: 'friends' });
  });
});

describe('rules on the local bus', () => {
  it('deliver events matching their pattern (test traffic left out) to their target as the Lambda envelope; a failing target is tried 3 times, then handed over', async () => {
    const received: FriendEvent[] = [];
    const failed: string[] = [];
    let failures = 0;
    rules.add({
      name: 'Graph',
      eventBusName: 'bus',
      pattern: parseEventPattern(
        JSON.stringify(
          friendEventPattern({ detailTypes: ['AfterAddFriend', 'AfterRemoveBlack', 'BlacklistReconciled'] }),
        ),
      ),
      target: async (event) => {
        if (event.detail.idempotencyKey === 'always-fails') {
          failures++;
          throw new Error('cannot apply');
        }
        received.push(event);
      },
      onFailure: (event, error) => failed.push(`${event.detail.idempotencyKey}: ${(error as Error).message}`),
    });
    const detail = (idempotencyKey: string, extra = {}) =>
      JSON.stringify({ schemaVersion: 1, idempotencyKey, ...extra });
    await new EventBridgeClient(config()).send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'bus', Source: 'openim', DetailType: 'AfterAddFriend', Detail: detail('k1') },
          { EventBusName: 'bus', Source: 'openim', DetailType: 'AfterDeleteFriend', Detail: detail('not subscribed') },
          { EventBusName: 'other', Source: 'openim', DetailType: 'AfterAddFriend', Detail: detail('other bus') },
          { EventBusName: 'bus', Source: 'openim', DetailType: 'BlacklistReconciled', Detail: detail('always-fails') },
          {
            EventBusName: 'bus',
            Source: 'openim',
            DetailType: 'AfterRemoveBlack',
            Detail: detail('synthetic', { synthetic: true }),
          },
        ],
      }),
    );
    await rules.idle();
    expect(received.map((event) => event.detail.idempotencyKey)).toEqual(['k1']);
    expect(isFriendEvent(received[0])).toBe(true);
    expect(received[0]).toMatchObject({ version: '0', 'detail-type': 'AfterAddFriend', source: 'openim' });
    expect(failures).toBe(3);
    expect(failed).toEqual(['always-fails: cannot apply']);
  });
});
