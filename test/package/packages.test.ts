import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_SCHEMA_VERSION } from '../../functions/contract/events';
import { type BuiltPackage, buildPackages, withJsExtensions } from '../../infra/build/build-packages';
import { CDK_PACKAGE_NAME, CONTRACT_PACKAGE_NAME } from '../../infra/build/manifests';

/**
 * The published packages as another repository uses them: packed with `npm pack`, installed
 * offline into a project outside this tree, a subscriber type-checked against the contract and a
 * CDK app that embeds the construct synthesized, with no access to this repository's sources.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

const SUBSCRIBER = `
import { type FriendEvent, friendEventPattern, isAfterAddFriendAgreeEvent } from '${CONTRACT_PACKAGE_NAME}';

export const handler = async (event: FriendEvent): Promise<string | undefined> => {
  if (!isAfterAddFriendAgreeEvent(event)) return undefined;
  // @ts-expect-error the detail of an accept has no ownerUserID: the types are real, not any
  void event.detail.ownerUserID;
  return event.detail.toUserID;
};

export const pattern: { source: string[]; 'detail-type': string[]; detail?: object } = friendEventPattern({
  detailTypes: ['AfterAddFriendAgree'],
  source: 'com.example.im',
});
`;

// Plain JavaScript, as the app's own build would output it (type-checking the CDK's types costs ~10 s).
// The construct embedded in one stack with the reference subscriber and the reconciler, and the
// user's services in a stack of their own, subscribed across stacks (the usual layout).
const CONSUMER_APP = `
import { App, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FriendEvents, FriendGraphSubscriber, Reconciler } from '${CDK_PACKAGE_NAME}';

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumer');
const friendEvents = new FriendEvents(stack, 'FriendEvents', { eventSource: 'com.example.im' });
friendEvents.onFriendshipCreated('Welcome', new targets.SqsQueue(new sqs.Queue(stack, 'Welcome')));
const graph = new FriendGraphSubscriber(stack, 'FriendGraph', { friendEvents });
new Reconciler(stack, 'Reconciler', { friendEvents, graphTable: graph.table, openImApiUrl: 'http://openim.internal:10002' });

const services = new Stack(app, 'MyServices');
const welcome = new lambda.Function(services, 'WelcomeNewFriends', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => {};'),
  environment: { EVENT_BUS_NAME: friendEvents.eventBus.eventBusName },
});
friendEvents.onFriendshipCreated('WelcomeNewFriends', new targets.LambdaFunction(welcome));
friendEvents.onFriendRequest('NotifyRequests', new targets.SqsQueue(new sqs.Queue(services, 'Requests')));
app.synth();
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    outDir: 'out',
    skipLibCheck: false,
    types: [],
  },
  include: ['subscriber.ts'],
};

/**
 * The consumer's environment, given explicitly: the tests' own (fake credentials, one region),
 * without test/setup-env.ts's switch that turns the CDK's CloudFormation validation off, so the
 * consumer's synth validates as any app's does.
 */
const { CDK_VALIDATION: _validationOff, ...consumerEnv } = process.env;

/** Runs a command in the consumer project; a failure carries what the command printed. */
const run = (args: string[]): string => {
  try {
    return execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8', stdio: 'pipe', env: consumerEnv });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
};

interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
}

let work: string;
let consumer: string;
let outdir: string;
let packages: BuiltPackage[];

const template = (stack: string): Template =>
  JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8')) as Template;
const resourcesOf = ({ Resources }: Template, type: string) =>
  Object.values(Resources).filter((resource) => resource.Type === type);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openim-friend-events-packages-'));
  packages = buildPackages(join(work, 'packed'));
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  const dependencies = Object.fromEntries(packages.map(({ name, tarball }) => [name, `file:${tarball}`]));
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }),
  );
  // Offline: the tarballs are all there is to fetch. The CDK's own packages are the user's
  // (peer dependencies); the consumer links the ones this repository has, as an app would own them.
  execFileSync(
    'npm',
    ['install', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: consumer, stdio: 'pipe' },
  );
  for (const peer of ['aws-cdk-lib', 'constructs']) {
    symlinkSync(join(ROOT, 'node_modules', peer), join(consumer, 'node_modules', peer), 'dir');
  }
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  writeFileSync(join(consumer, 'subscriber.ts'), SUBSCRIBER);
  writeFileSync(join(consumer, 'app.mjs'), CONSUMER_APP);
  outdir = join(work, 'cdk.out');
  run([join(consumer, 'app.mjs'), outdir]);
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

it('a subscriber in another repository type-checks against the installed contract (NodeNext, strict)', () => {
  run([TSC, '-p', consumer]);
  const { pattern } = JSON.parse(
    run(['--input-type=module', '-e', "import('./out/subscriber.js').then((m) => console.log(JSON.stringify(m)))"]),
  ) as { pattern: unknown };
  expect(pattern).toEqual({
    source: ['com.example.im'],
    'detail-type': ['AfterAddFriendAgree'],
    detail: { synthetic: [{ exists: false }] },
  });
}, 60_000);

it('a CDK app in another repository synthesizes the construct, the reference subscriber and the reconciler from the installed package, functions prebuilt', () => {
  const consumerTemplate = template('Consumer');
  const assets = JSON.parse(readFileSync(join(outdir, 'Consumer.assets.json'), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const functions = resourcesOf(consumerTemplate, 'AWS::Lambda::Function');
  // Each function's code is one of the package's prebuilt bundles: an index.mjs, no TypeScript.
  for (const fn of functions) {
    const hash = String((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
    const asset = readdirSync(join(outdir, assets.files[hash]?.source.path ?? 'missing'));
    expect(asset).toContain('index.mjs');
    expect(asset.filter((file) => file.endsWith('.ts'))).toEqual([]);
  }
  expect(functions.length).toBeGreaterThanOrEqual(4); // callback, drainer, friend graph, reconciler's
  expect(resourcesOf(consumerTemplate, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
  const [rule] = resourcesOf(consumerTemplate, 'AWS::Events::Rule');
  expect(rule?.Properties.EventPattern).toEqual({
    source: ['com.example.im'],
    'detail-type': ['AfterAddFriendAgree', 'AfterImportFriends'],
    detail: { synthetic: [{ exists: false }] },
  });
  // Embedded in the user's own stack, the construct still gives what the --stack commands read.
  expect(Object.keys(consumerTemplate.Outputs ?? {})).toEqual(
    expect.arrayContaining(['CallbackBaseUrl', 'TokenSecretArn', 'EventBusName', 'EventBusArn', 'RetryQueueUrl']),
  );
  expect(consumerTemplate.Outputs).toHaveProperty('FriendGraphTableName');
}, 60_000);

it("subscribing from the user's own stack puts the rules there, on the product's bus, with no dependency cycle", () => {
  const rules = resourcesOf(template('MyServices'), 'AWS::Events::Rule');
  expect(rules.map((rule) => (rule.Properties.EventPattern as { 'detail-type': string[] })['detail-type'])).toEqual([
    ['AfterAddFriendAgree', 'AfterImportFriends'],
    ['AfterAddFriend'],
  ]);
  for (const rule of rules) {
    expect(rule.Properties.EventBusName).toEqual({
      'Fn::ImportValue': expect.stringMatching(/^Consumer:ExportsOutputRefFriendEventsBus/),
    });
  }
  expect(resourcesOf(template('MyServices'), 'AWS::Lambda::Permission')).toHaveLength(1);
  const { artifacts } = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { dependencies?: string[] }>;
  };
  expect(artifacts.MyServices?.dependencies).toContain('Consumer');
  expect(artifacts.Consumer?.dependencies ?? []).not.toContain('MyServices');
});

it("versions the contract package by the events' schemaVersion (major) and packs only what subscribers need", () => {
  const contract = packages.find(({ name }) => name === CONTRACT_PACKAGE_NAME);
  const manifest = JSON.parse(readFileSync(join(contract?.dir ?? '', 'package.json'), 'utf8')) as { version: string };
  expect(manifest.version.split('.')[0]).toBe(String(EVENT_SCHEMA_VERSION));
  const installed = join(consumer, 'node_modules', CONTRACT_PACKAGE_NAME);
  expect(readdirSync(installed).sort()).toEqual(['dist', 'package.json', 'schemas', 'types']);
  expect(readdirSync(join(installed, 'schemas'))).toContain('AfterAddFriend.schema.json');
});

it('gives relative specifiers in declarations their .js, and leaves the rest alone', () => {
  expect(
    withJsExtensions(
      "export * from './events';\nimport type { A } from '../x/y';\nexport { B } from './b.js';\ntype C = import('./c').C;\nimport 'aws-cdk-lib';",
    ),
  ).toBe(
    "export * from './events.js';\nimport type { A } from '../x/y.js';\nexport { B } from './b.js';\ntype C = import('./c.js').C;\nimport 'aws-cdk-lib';",
  );
});
