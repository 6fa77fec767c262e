import { resolve } from 'node:path';
import type { StoredEvent } from './aws-emulator';
import { appendEvent, DEFAULT_EVENTS_FILE } from './event-log';
import { startLocalServer } from './http-api-adapter';
import { startLocalAws } from './local-environment';

/**
 * `npm start`: the real handler behind a local HTTP API, publishing to an embedded loopback
 * EventBridge. Prints the callback URL for a local OpenIM and every event that reaches the bus.
 */
const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const token = process.env.CALLBACK_TOKEN ?? 'local-dev-token';
const eventsFile = resolve(process.env.EVENTS_FILE ?? DEFAULT_EVENTS_FILE);

// Quiet by default: the readable lines below are the local output. LOG_LEVEL=INFO shows the JSON logs.
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { emulator, endpoint } = await startLocalAws({ token });
const { handler } = await import('../../functions/openim-callback/handler');
const { url, close } = await startLocalServer(handler, {
  port,
  host,
  onResponse: (event, result, ms) => {
    const reply = JSON.parse(String(result.body)) as { errCode: number; errDlt: string };
    const path = event.rawPath.replace(token, '<token>');
    const outcome = reply.errCode === 0 ? 'accepted' : `refused ${reply.errCode}: ${reply.errDlt}`;
    console.log(`${event.requestContext.http.method} ${path} -> ${result.statusCode} ${outcome} (${ms.toFixed(1)} ms)`);
  },
});

emulator.onEvent((event: StoredEvent) => {
  appendEvent(eventsFile, event);
  console.log(`\nEvent on bus ${event.eventBusName}: ${event.source} / ${event.detailType}`);
  console.log(JSON.stringify(event.detail, null, 2));
});

const callbackUrl = `${url}/openim/${token}`;
console.log(`openim-friend-events is running locally.

  OpenIM callback URL (webhooks.yml "url"):  ${callbackUrl}
  Loopback AWS endpoint (EventBridge, SQS, Secrets Manager): ${endpoint}
  Events are printed here and appended to ${eventsFile}

Try it:
  curl -s -H 'content-type: application/json; charset=utf-8' -H 'operationID: 1646445464564' \\
    -d '{"callbackCommand":"callbackAfterAddFriendCommand","fromUserID":"3958741620","toUserID":"6127384950","reqMsg":"Hi"}' \\
    ${callbackUrl}/callbackAfterAddFriendCommand
`);

const shutdown = async () => {
  await close();
  await emulator.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
