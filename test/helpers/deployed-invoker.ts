import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { BOUNDS } from '../../functions/contract/settings';
import type { AwsEmulator } from '../../infra/local/aws-emulator';
import { type DeployedFunction, referencedId, resourceOf } from './deployed-functions';
import type { LocalDynamoDb } from './local-dynamodb';

const INVOKE_BUNDLE = fileURLToPath(new URL('./invoke-bundle.mjs', import.meta.url));

/** What one invocation of a deployed bundle in a fresh process reported (`invoke-bundle.mjs`). */
export interface Outcome {
  node: string;
  exported: string;
  callbackStyle: boolean;
  result?: unknown;
  error?: string;
}

/** The loopback world a deployed function is invoked in (getters: the servers start in `beforeAll`). */
export interface DeployedWorld {
  template: Template;
  outdir: string;
  emulator: () => AwsEmulator;
  dynamo: () => LocalDynamoDb;
  /** What every secret of the stack holds. */
  secret: string;
  openImApiUrl: () => string;
}

/**
 * Invokes the deployed bundles of a template, each in a fresh `node` process (the tests' Node.js
 * 24), with the function's environment as the template has it, each reference replaced by a
 * loopback stand-in of that resource.
 */
export const deployedInvoker = (world: DeployedWorld) => {
  /** What a loopback stand-in answers for a `{ Ref }` to each kind of resource the functions are told about. */
  const created = new Map<string, Promise<string>>();
  const standInFor = (logicalId: string): Promise<string> => {
    const existing = created.get(logicalId);
    if (existing) return existing;
    const { Type, Properties } = resourceOf(world.template, logicalId);
    const make = async (): Promise<string> => {
      switch (Type) {
        case 'AWS::Events::EventBus':
          return logicalId; // a bus name
        case 'AWS::SQS::Queue':
          return world.emulator().queueUrl(logicalId);
        case 'AWS::SecretsManager::Secret':
          world.emulator().secrets.set(logicalId, { current: world.secret });
          return logicalId;
        case 'AWS::DynamoDB::Table':
          await world.dynamo().createTable({
            TableName: logicalId,
            BillingMode: 'PAY_PER_REQUEST',
            KeySchema: Properties.KeySchema,
            AttributeDefinitions: Properties.AttributeDefinitions,
          });
          return logicalId;
        default:
          throw new Error(`no loopback stand-in for ${Type} (${logicalId}): add one to this test`);
      }
    };
    const made = make();
    created.set(logicalId, made);
    return made;
  };

  /**
   * The function's environment as the template has it, references replaced by stand-ins. Its time
   * budgets are the widest its settings allow: how fast a loaded machine runs is not what this tests.
   */
  const environmentOf = async (fn: DeployedFunction): Promise<Record<string, string>> => {
    const variables: Record<string, string> = {};
    for (const [name, value] of Object.entries(fn.environment)) {
      const id = referencedId(value);
      if (typeof value === 'string') variables[name] = value;
      else if (id && 'Ref' in (value as object)) variables[name] = await standInFor(id);
      else throw new Error(`${fn.logicalId}: ${name} is ${JSON.stringify(value)}, which this test cannot stand in for`);
    }
    // OpenIM's API is a literal setting in the template: here it is the loopback stand-in.
    if ('OPENIM_API_URL' in variables) variables.OPENIM_API_URL = world.openImApiUrl();
    if ('PUBLISH_TIMEOUT_MS' in variables) variables.PUBLISH_TIMEOUT_MS = String(BOUNDS.publishTimeoutMs[1]);
    if ('REPLY_BUDGET_MS' in variables) variables.REPLY_BUDGET_MS = String(BOUNDS.replyBudgetMs[1]);
    return variables;
  };

  /** Invokes the deployed bundle once in a fresh `node` process (the tests' Node.js 24). */
  const invokeDeployed = async (fn: DeployedFunction, event: unknown): Promise<Outcome> => {
    const dir = mkdtempSync(join(world.outdir, 'invoke-'));
    const [eventFile, resultFile] = [join(dir, 'event.json'), join(dir, 'result.json')];
    writeFileSync(eventFile, JSON.stringify(event));
    const env = {
      PATH: String(process.env.PATH),
      AWS_ENDPOINT_URL: world.emulator().url,
      AWS_ENDPOINT_URL_DYNAMODB: world.dynamo().endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      ...(await environmentOf(fn)),
    };
    const args = [INVOKE_BUNDLE, fn.handlerFile, fn.handlerExport, eventFile, String(fn.timeout), resultFile];
    const output = await new Promise<string>((resolve) =>
      execFile(process.execPath, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve(`${error ?? ''}\n${stdout}\n${stderr}`),
      ),
    );
    try {
      return JSON.parse(readFileSync(resultFile, 'utf8')) as Outcome;
    } catch {
      throw new Error(`${fn.logicalId} did not load and answer:\n${output}`);
    }
  };
  return { standInFor, invoke: invokeDeployed };
};
