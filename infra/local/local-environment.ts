import { DEFAULTS } from '../../functions/contract/settings';
import { useLocalAws } from '../cli-kit/local-stack';
import { AwsEmulator } from './aws-emulator';

export const LOCAL_BUS_NAME = 'openim-friend-events-local';
export const LOCAL_SECRET_ID = 'openim-friend-events/callback-token';
export const LOCAL_RETRY_QUEUE_NAME = 'openim-friend-events-retry';
export const LOCAL_DEAD_LETTER_QUEUE_NAME = 'openim-friend-events-dead-letters';

/**
 * Starts the loopback AWS endpoint and sets the process environment so that the real handler
 * (and the SDK inside it) uses it: the SDK's own `AWS_ENDPOINT_URL`, fake static credentials,
 * no instance metadata look-ups. Call before importing the handler: it reads its config at load.
 */
export const startLocalAws = async (options: { token: string; port?: number; env?: Record<string, string> }) => {
  const emulator = new AwsEmulator();
  const endpoint = await emulator.start(options.port ?? 0);
  emulator.secrets.set(LOCAL_SECRET_ID, { current: options.token });
  const deadLetterQueueUrl = emulator.createQueue(LOCAL_DEAD_LETTER_QUEUE_NAME);
  // As deployed: after maxReceiveCount receives, SQS moves a parked event to the final dead-letter queue.
  const queueUrl = emulator.createQueue(LOCAL_RETRY_QUEUE_NAME, {
    redrive: { deadLetterQueueUrl, maxReceiveCount: DEFAULTS.retryMaxReceiveCount },
  });
  useLocalAws(endpoint);
  Object.assign(process.env, {
    EVENT_BUS_NAME: LOCAL_BUS_NAME,
    CALLBACK_TOKEN_SECRET_ID: LOCAL_SECRET_ID,
    RETRY_QUEUE_URL: queueUrl,
    DEAD_LETTER_QUEUE_URL: deadLetterQueueUrl,
    ...options.env,
  });
  return { emulator, endpoint, queueUrl, deadLetterQueueUrl };
};
