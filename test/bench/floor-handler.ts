import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

/**
 * The floor of the benchmark: only an EventBridge client and one PutEvents send. Bundled the
 * way the product is, it is the smallest and fastest-loading function that could do the job;
 * as a handler it is the minimal one (parse the body, publish, answer) our overhead is measured
 * against.
 */
const client = new EventBridgeClient({});

export const handler = async (event: { body?: string }) => {
  const body = JSON.parse(event.body ?? '{}') as Record<string, unknown>;
  await client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: process.env.EVENT_BUS_NAME,
          Source: 'openim',
          DetailType: 'AfterAddFriend',
          Detail: JSON.stringify(body),
        },
      ],
    }),
  );
  return { statusCode: 200, body: '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}' };
};
