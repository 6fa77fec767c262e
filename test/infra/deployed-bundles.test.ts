import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { AwsEmulator, type StoredEvent } from '../../infra/local/aws-emulator';
import { envelopeOf } from '../../infra/local/event-envelope';
import { matchesEventPattern, parseEventPattern } from '../../infra/local/event-pattern';
import { toHttpApiEvent } from '../../infra/local/http-api-adapter';
import { type OpenImStandIn, startOpenImStandIn } from '../../infra/local/openim-api/stand-in';
import { pollOnce } from '../../infra/local/sqs-event-source';
import { decodeOpenImReply, isSuccess } from '../../infra/openim-sender-simulator/openim-reply';
import { openImRequest, sampleBodies } from '../../infra/openim-sender-simulator/openim-request';
import { sendCallback } from '../../infra/openim-sender-simulator/send-callback';
import { type DeployedFunction, deployedFunctions, referencedId, resourceOf } from '../helpers/deployed-functions';
import { deployedInvoker, type Outcome } from '../helpers/deployed-invoker';
import { runStateMachine, type SweepRun } from '../helpers/deployed-sweep';
import { UNHURRIED } from '../helpers/harness';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';
import { synthStack } from '../helpers/synth';

/**
 * Every function the stack deploys, found in the synthesized template (so one added later is
 * covered too), its bundle built as `cdk synth` builds it, loaded by a fresh Node.js 24 process
 * the way the Lambda runtime loads it, and invoked with what really reaches it: OpenIM's exact
 * bytes, a message its queue really holds, an event the callback function really published. Its
 * environment is the template's, with each reference replaced by a loopback stand-in.
 */
const TOKEN = 'deployed-bundle-token-0123456789abcdefghijk';
const outdir = mkdtempSync(join(tmpdir(), 'openim-friend-events-deployed-'));
const OPENIM_ADMIN = 'friendEventsReconciler'; // the reconciler's default admin user ID
const { template } = synthStack(
  {},
  { bundle: true, outdir, exampleSubscriber: true, reconciler: { openImApiUrl: 'http://openim.internal:10002' } },
);
const functions = deployedFunctions(template, outdir);

let emulator: AwsEmulator;
let dynamo: LocalDynamoDb;
let openIm: OpenImStandIn;
beforeAll(async () => {
  emulator = new AwsEmulator();
  await emulator.start();
  dynamo = await startLocalDynamoDb();
  // The admin secret the stack's secret holds is the stand-in's (the test puts TOKEN in every secret).
  openIm = await startOpenImStandIn({
    adminUserIDs: [OPENIM_ADMIN],
    adminSecret: TOKEN,
    generate: { users: 12, directedEdges: 30, blacks: 3, randomSeed: 7 },
  });
});
afterAll(async () => {
  await emulator.stop();
  await dynamo.stop();
  await openIm.close();
  rmSync(outdir, { recursive: true, force: true });
});
beforeEach(() => emulator.reset());

const world = {
  template,
  outdir,
  emulator: () => emulator,
  dynamo: () => dynamo,
  secret: TOKEN,
  openImApiUrl: () => openIm.url,
};
const { standInFor, invoke: invokeDeployed } = deployedInvoker(world);

const expectLoadedOn24 = (outcome: Outcome) => {
  expect(outcome.node).toMatch(/^v24\./);
  expect(outcome).toMatchObject({ exported: 'function', callbackStyle: false });
  expect(outcome.error).toBeUndefined();
};

const callbackFunction = (): DeployedFunction => {
  const [fn, ...others] = functions.filter(({ triggers }) => triggers.some(({ kind }) => kind === 'http-api'));
  if (!fn || others.length > 0) throw new Error('expected exactly one function behind the HTTP API');
  return fn;
};

/**
 * OpenIM's exact bytes (v3.7+) over a socket to an API Gateway stand-in that hands the event to
 * the deployed callback bundle and answers with its reply.
 */
const sendAsOpenIm = async (operationID: string) => {
  const fn = callbackFunction();
  let outcome: Outcome | undefined;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      outcome = await invokeDeployed(fn, toHttpApiEvent(request, Buffer.concat(chunks)));
      const result = (outcome.result ?? {}) as { statusCode?: number; headers?: Record<string, string>; body?: string };
      response.writeHead(result.statusCode ?? 502, result.headers ?? {}).end(result.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openim/${TOKEN}`;
    const body = { ...sampleBodies.callbackAfterAddFriendAgreeCommand };
    // The reply takes a cold start in a fresh process: no deadline a loaded machine could miss.
    const reply = await sendCallback(openImRequest('v3.7+', url, body, operationID), UNHURRIED.replyBudgetMs);
    if (!outcome) throw new Error('the callback bundle was not invoked');
    return { reply, outcome };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
};

/** How EventBridge hands an event on the bus to a rule's Lambda target. */
const matches = (pattern: Record<string, unknown>, event: StoredEvent): boolean =>
  matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), envelopeOf(event));

/**
 * How a real message gets into each queue a function is fed from; a queue not listed here makes
 * its function's test fail with the name of the queue.
 */
const QUEUE_WRITERS: Record<string, (queueLogicalId: string) => Promise<void>> = {
  // Parked by the callback bundle itself, through its lazily loaded SQS chunk, while EventBridge fails.
  RetryQueue: async (queueLogicalId) => {
    emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    const { reply } = await sendAsOpenIm('op-parked');
    emulator.clearFaults();
    expect(isSuccess(decodeOpenImReply(reply.body))).toBe(true);
    expect(emulator.messages(await standInFor(queueLogicalId))).toHaveLength(1);
  },
};

/**
 * One whole sweep of the reconciler's state machine, each Task run by the deployed bundle of the
 * function it names (plan, the pages' and orphans' workers, finish), once for all its functions.
 */
let sweep: Promise<{ run: SweepRun; outcomes: Map<string, Outcome[]>; repairs: number }> | undefined;
const sweepOnce = (stateMachineLogicalId: string) =>
  (sweep ??= (async () => {
    const outcomes = new Map<string, Outcome[]>();
    const run = await runStateMachine(emulator, template, stateMachineLogicalId, async (functionId, input) => {
      const fn = functions.find(({ logicalId }) => logicalId === functionId);
      if (!fn) throw new Error(`the state machine invokes ${functionId}, which is not a function of the stack`);
      const outcome = await invokeDeployed(fn, input);
      outcomes.set(functionId, [...(outcomes.get(functionId) ?? []), outcome]);
      if (outcome.error) throw new Error(outcome.error);
      return outcome.result;
    });
    // OpenIM holds friendships and blocks the empty graph does not: the sweep published their repairs.
    const repairs = emulator.events.filter(({ detailType }) => detailType.endsWith('Reconciled')).length;
    return { run, outcomes, repairs };
  })());

const drive: Record<DeployedFunction['triggers'][number]['kind'], (fn: DeployedFunction) => Promise<void>> = {
  'http-api': async () => {
    const { reply, outcome } = await sendAsOpenIm('op-deployed');
    expectLoadedOn24(outcome);
    expect(reply.status).toBe(200);
    expect(isSuccess(decodeOpenImReply(reply.body))).toBe(true);
    expect(emulator.events).toEqual([
      expect.objectContaining({
        detailType: 'AfterAddFriendAgree',
        detail: expect.objectContaining({ operationID: 'op-deployed' }),
      }),
    ]);
  },
  sqs: async (fn) => {
    const trigger = fn.triggers.find((candidate) => candidate.kind === 'sqs');
    const queueLogicalId = trigger?.kind === 'sqs' ? trigger.queueLogicalId : '';
    const writer = Object.entries(QUEUE_WRITERS).find(([prefix]) => queueLogicalId.includes(prefix))?.[1];
    if (!writer) throw new Error(`no way to put a real message in ${queueLogicalId}: add one to QUEUE_WRITERS`);
    await writer(queueLogicalId);
    const queueUrl = await standInFor(queueLogicalId);
    const outcomes: Outcome[] = [];
    // As Lambda's event source mapping: receive a batch, invoke, delete what did not fail.
    const sqs = new SQSClient({ endpoint: emulator.url });
    try {
      await pollOnce(sqs, {
        queueUrl,
        handler: async (event: SQSEvent) => {
          const outcome = await invokeDeployed(fn, event);
          outcomes.push(outcome);
          return outcome.result as SQSBatchResponse;
        },
      });
    } finally {
      sqs.destroy();
    }
    expect(outcomes).toHaveLength(1);
    expectLoadedOn24(outcomes[0] as Outcome);
    expect(outcomes[0]?.result).toEqual({ batchItemFailures: [] });
    expect(emulator.messages(queueUrl)).toEqual([]);
    expect(emulator.events).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ operationID: 'op-parked' }) }),
    ]);
  },
  rule: async (fn) => {
    const trigger = fn.triggers.find((candidate) => candidate.kind === 'rule');
    const pattern = trigger?.kind === 'rule' ? trigger.eventPattern : {};
    await sendAsOpenIm('op-subscribed');
    const event = emulator.events.find((candidate) => matches(pattern, candidate));
    if (!event) throw new Error(`the callback function published nothing that matches ${JSON.stringify(pattern)}`);
    const outcome = await invokeDeployed(fn, envelopeOf(event));
    expectLoadedOn24(outcome);
    // What it was told to write to, it wrote to.
    for (const value of Object.values(fn.environment)) {
      const id = referencedId(value);
      if (id && resourceOf(template, id).Type === 'AWS::DynamoDB::Table') {
        expect((await dynamo.items(await standInFor(id))).length).toBeGreaterThan(0);
      }
    }
  },
  'state-machine': async (fn) => {
    const trigger = fn.triggers.find((candidate) => candidate.kind === 'state-machine');
    const { run, outcomes, repairs } = await sweepOnce(
      trigger?.kind === 'state-machine' ? trigger.stateMachineLogicalId : '',
    );
    expect(run).toEqual({ status: 'SUCCEEDED' });
    expect(repairs).toBeGreaterThan(0);
    const invocations = outcomes.get(fn.logicalId) ?? [];
    expect(invocations.length).toBeGreaterThan(0);
    for (const outcome of invocations) expectLoadedOn24(outcome);
  },
  schedule: async (fn) => {
    const outcome = await invokeDeployed(fn, {
      version: '0',
      id: 'scheduled-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: {},
    });
    expectLoadedOn24(outcome);
  },
};

it('the stack deploys only Node.js 24 functions on arm64, each with a bundle and something that invokes it', () => {
  // Callback, retry drainer, reference subscriber, the reconciler's plan, worker and finish.
  expect(functions.length).toBeGreaterThanOrEqual(6);
  for (const fn of functions) {
    expect({ id: fn.logicalId, runtime: fn.runtime, architectures: fn.architectures }).toEqual({
      id: fn.logicalId,
      runtime: 'nodejs24.x',
      architectures: ['arm64'],
    });
    expect(fn.triggers.length).toBeGreaterThan(0);
  }
});

describe.each(functions.map((fn) => [fn.logicalId, fn] as const))('the deployed bundle of %s', (_id, fn) => {
  it.each(fn.triggers.map(({ kind }) => [kind]))(
    'loads in a fresh Node.js 24 process and answers what its %s trigger really sends',
    async (kind) => {
      await drive[kind](fn);
    },
  );
});
