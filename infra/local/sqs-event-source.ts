import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { queueArnOf } from './sqs-attributes';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface SqsEventSourceOptions {
  queueUrl: string;
  /** The queue's ARN, each record's `eventSourceARN`; derived from the URL when absent. */
  queueArn?: string;
  handler: SqsHandler;
  batchSize?: number;
  /** Long-poll wait per receive, in seconds. */
  waitSeconds?: number;
  onError?: (error: unknown) => void;
}

/**
 * What Lambda's SQS event source mapping does, for the local run and the tests: receive a batch
 * (with its receive counts), invoke the handler, delete the messages it did not report as failed.
 * A failed message stays in flight until its visibility timeout (which the drainer sets) ends.
 */
export const pollOnce = async (sqs: SQSClient, options: SqsEventSourceOptions): Promise<number> => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: options.queueUrl,
      MaxNumberOfMessages: options.batchSize ?? 10,
      WaitTimeSeconds: options.waitSeconds ?? 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
    }),
  );
  if (Messages.length === 0) return 0;
  const event = {
    Records: Messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? '',
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: options.queueArn ?? queueArnOf(options.queueUrl),
      awsRegion: process.env.AWS_REGION ?? 'us-east-1',
    })),
  } as unknown as SQSEvent;
  const { batchItemFailures } = await options.handler(event);
  const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
      }),
    );
  }
  return Messages.length;
};

/** Polls until stopped; returns the function that stops it. */
export const startSqsEventSource = (sqs: SQSClient, options: SqsEventSourceOptions): (() => Promise<void>) => {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await pollOnce(sqs, { waitSeconds: 1, ...options });
      } catch (error) {
        options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
};
