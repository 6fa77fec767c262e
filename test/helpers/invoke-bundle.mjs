// Run by a fresh `node` (the tests' own, Node.js 24): loads a deployed bundle the way the Lambda
// Node.js runtime does and invokes its handler once with (event, context), the only signature
// nodejs24.x calls. Writes what happened as JSON to the result file.
// usage: node invoke-bundle.mjs <handler file> <export> <event file> <timeout seconds> <result file>
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [file, exportName, eventFile, timeoutSeconds, resultFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const exports = await import(pathToFileURL(file).href);
const handler = exports[exportName];
// nodejs24.x refuses at init a callback-style handler: not async, with three or more parameters.
const callbackStyle =
  typeof handler === 'function' && handler.length >= 3 && handler.constructor.name !== 'AsyncFunction';

// API Gateway's receipt is stamped now, after the cold start: the reply budget is not what this tests.
if (event.requestContext?.timeEpoch !== undefined) {
  event.requestContext.timeEpoch = Date.now();
  event.requestContext.time = new Date().toUTCString();
}
const deadline = Date.now() + Number(timeoutSeconds) * 1000;
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'deployed-bundle',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:deployed-bundle',
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/deployed-bundle',
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};

const outcome = { node: process.version, exported: typeof handler, callbackStyle };
if (typeof handler === 'function' && !callbackStyle) {
  try {
    outcome.result = (await handler(event, context)) ?? null;
  } catch (error) {
    outcome.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
}
writeFileSync(resultFile, JSON.stringify(outcome));
// As the runtime freezes an instance after the reply: idle keep-alive sockets must not hold the process.
process.exit(0);
