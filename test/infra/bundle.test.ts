import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toParkedMessage } from '../../functions/adapters/aws/retry-queue';
import type { FriendEventsProps } from '../../infra/construct/friend-events-props';
import { AwsEmulator } from '../../infra/local/aws-emulator';
import { allFiles, coldLoadedFiles } from '../helpers/bundle-files';
import { TEST_SETTINGS } from '../helpers/harness';
import { synthStack } from '../helpers/synth';

/**
 * The asset `cdk synth` really builds (local esbuild, no Docker), loaded by a plain `node` process
 * and invoked against the loopback AWS endpoint: the deployed code, not the TypeScript source.
 */
const outdir = mkdtempSync(join(tmpdir(), 'openim-friend-events-synth-'));
let assetDir: string;
let tracedAssetDir: string;
let drainerAssetDir: string;

/** The asset directories of the callback function and of the retry drainer, found by their S3 keys. */
const synthBundles = (dir: string, props: FriendEventsProps) => {
  const { app, template } = synthStack(props, { bundle: true, outdir: dir });
  app.synth();
  const assetOf = (logicalId: RegExp): string => {
    const [fn, ...others] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
      logicalId.test(id),
    );
    const key: unknown = fn?.[1].Properties.Code.S3Key;
    if (others.length > 0 || typeof key !== 'string') throw new Error(`no single function ${logicalId} in ${dir}`);
    return join(dir, `asset.${key.replace(/\.zip$/, '')}`);
  };
  return { callback: assetOf(/CallbackFunction/), drainer: assetOf(/RetryDrainerFunction/) };
};

beforeAll(() => {
  ({ callback: assetDir, drainer: drainerAssetDir } = synthBundles(join(outdir, 'default'), {}));
  ({ callback: tracedAssetDir } = synthBundles(join(outdir, 'traced'), { tracing: true, sourceMaps: true }));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the function bundle', () => {
  it('is a minified ESM entry with chunks, the AWS SDK inside, and no source map unless asked', () => {
    expect(readdirSync(assetDir).sort()).toEqual(['chunks', 'index.mjs']);
    expect(readdirSync(drainerAssetDir).sort()).toEqual(['chunks', 'index.mjs']);
    expect(readdirSync(tracedAssetDir).sort()).toEqual(['chunks', 'index.mjs', 'index.mjs.map']);
    expect(allFiles(assetDir).some((file) => file.endsWith('.map'))).toBe(false);
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code.split('\n').length).toBeLessThan(100); // minified
    expect(code).toMatch(/export\s*\{[^}]*as handler/);
    expect(code).toContain('AWSEvents'); // the EventBridge client is bundled, not taken from the runtime
    expect(code).not.toMatch(/from\s*"@aws-sdk\//);
    expect(statSync(join(assetDir, 'index.mjs')).size).toBeLessThan(600 * 1024);
    expect(code).not.toContain('aws-xray'); // tracing is off, so its code is compiled out
  });

  it('reads Node built-ins as CommonJS, never through an ES import (whose module facade costs cold-start time)', () => {
    const importedBuiltins = (dir: string) =>
      allFiles(dir)
        .filter((file) => file.endsWith('.mjs'))
        .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/(?:\bfrom|\bimport\(?)\s*["']([^"']+)["']/g)])
        .map(([, specifier]) => String(specifier))
        .filter((specifier) => isBuiltin(specifier));
    for (const dir of [assetDir, tracedAssetDir, drainerAssetDir]) expect(importedBuiltins(dir)).toEqual([]);
    const coldCode = coldLoadedFiles(assetDir).map((file) => readFileSync(file, 'utf8'));
    expect(coldCode.join('\n')).toContain('process.getBuiltinModule("node:http")'); // middy's STATUS_CODES
  });

  it('does not read the SQS client at cold start: only the failure path imports it', () => {
    const read = (files: string[]) => files.map((file) => readFileSync(file, 'utf8')).join('\n');
    // The JSON protocols' X-Amz-Target prefixes: AmazonSQS.*, AWSEvents.*
    expect(read(allFiles(assetDir))).toContain('AmazonSQS');
    expect(read(coldLoadedFiles(assetDir))).not.toContain('AmazonSQS');
    expect(read(coldLoadedFiles(assetDir))).toContain('AWSEvents');
  });

  it.each([
    ['turns a callback into a PutEvents call', () => assetDir, false],
    ['turns a callback into a PutEvents call (tracing on)', () => tracedAssetDir, false],
    ['parks the event through its lazily loaded SQS chunk when EventBridge fails', () => assetDir, true],
  ])('loads in a fresh node process and %s', async (_label, bundleDir, eventBridgeFails) => {
    const emulator = new AwsEmulator();
    await emulator.start();
    if (eventBridgeFails)
      emulator.faultPolicy = (operation) => (operation === 'PutEvents' ? 'server-error' : undefined);
    emulator.secrets.set('token-secret', { current: 'bundle-token' });
    const queueUrl = emulator.queueUrl('retry');
    const script = join(outdir, 'invoke.mjs');
    writeFileSync(
      script,
      `const { handler } = await import(${JSON.stringify(join(bundleDir(), 'index.mjs'))});
       const event = {
         version: '2.0', routeKey: '$default', rawPath: '/openim/bundle-token/callbackAfterAddFriendCommand', rawQueryString: '',
         headers: { 'content-type': 'application/json; charset=utf-8', operationid: 'op-bundle' },
         requestContext: { http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Go-http-client/1.1' }, timeEpoch: Date.now() },
         body: '{"callbackCommand":"callbackAfterAddFriendCommand","fromUserID":"1","toUserID":"2","reqMsg":"Hi"}\\n',
         isBase64Encoded: false,
       };
       const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 10000 };
       console.log(JSON.stringify(await handler(event, context)));`,
    );
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [script], {
        env: {
          PATH: process.env.PATH,
          AWS_ENDPOINT_URL: emulator.url,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDTEST',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_EC2_METADATA_DISABLED: 'true',
          EVENT_BUS_NAME: 'bus',
          CALLBACK_TOKEN_SECRET_ID: 'token-secret',
          RETRY_QUEUE_URL: queueUrl,
          ...TEST_SETTINGS, // the widest budgets it accepts: a loaded machine must not decide where the event goes
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          POWERTOOLS_METRICS_DISABLED: 'true',
        },
      });
      const response = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
      expect(response).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}',
      });
      if (eventBridgeFails) {
        expect(emulator.events).toEqual([]);
        expect(emulator.messages(queueUrl).map((message) => JSON.parse(message.body).entry)).toEqual([
          expect.objectContaining({ EventBusName: 'bus', Source: 'openim', DetailType: 'AfterAddFriend' }),
        ]);
      } else {
        expect(emulator.events).toEqual([
          expect.objectContaining({
            eventBusName: 'bus',
            source: 'openim',
            detailType: 'AfterAddFriend',
            detail: expect.objectContaining({ operationID: 'op-bundle' }),
          }),
        ]);
      }
    } finally {
      await emulator.stop();
    }
  });

  it('of the retry drainer loads in a fresh node process and publishes a parked entry unchanged', async () => {
    const emulator = new AwsEmulator();
    await emulator.start();
    const entry = {
      EventBusName: 'bus',
      Source: 'openim',
      DetailType: 'AfterAddFriend',
      Detail: JSON.stringify({ schemaVersion: 1, operationID: 'op-parked', idempotencyKey: 'k' }),
      Time: new Date('2026-11-25T10:00:00.000Z'),
    };
    const record = {
      messageId: 'm-1',
      receiptHandle: 'r-1',
      body: JSON.stringify(toParkedMessage(entry, 'EventBridge timed out', new Date('2026-11-25T10:00:01.000Z'))),
      attributes: { ApproximateReceiveCount: '1' },
    };
    const script = join(outdir, 'drain.mjs');
    writeFileSync(
      script,
      `const { handler } = await import(${JSON.stringify(join(drainerAssetDir, 'index.mjs'))});
       const context = { functionName: 'drainer', awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 };
       console.log(JSON.stringify(await handler({ Records: [${JSON.stringify(record)}] }, context)));`,
    );
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [script], {
        env: {
          PATH: process.env.PATH,
          AWS_ENDPOINT_URL: emulator.url,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDTEST',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_EC2_METADATA_DISABLED: 'true',
          RETRY_QUEUE_URL: emulator.queueUrl('retry'),
          DEAD_LETTER_QUEUE_URL: emulator.queueUrl('dead-letters'),
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          POWERTOOLS_METRICS_DISABLED: 'true',
        },
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ batchItemFailures: [] });
      expect(emulator.events).toEqual([
        expect.objectContaining({
          eventBusName: 'bus',
          source: 'openim',
          detailType: 'AfterAddFriend',
          detail: JSON.parse(entry.Detail),
          time: '2026-11-25T10:00:00.000Z',
        }),
      ]);
    } finally {
      await emulator.stop();
    }
  });
});
