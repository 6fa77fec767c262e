/**
 * Names shared by the function (which emits them) and the stack (whose alarms and dashboard
 * read them), so an alarm can never watch a metric that is not emitted.
 */
export const SERVICE_NAME = 'openim-friend-events';
export const METRICS_NAMESPACE = 'OpenImFriendEvents';

export const METRIC = {
  accepted: 'CallbackAccepted',
  rejected: 'CallbackRejected',
  published: 'EventsPublished',
  retried: 'PublishRetries',
  deadLettered: 'EventsDeadLettered',
  lost: 'EventsLost',
  publishLatency: 'PublishLatency',
} as const;

/** The only per-metric dimension: rejections by OpenIM errCode (a small, fixed set). */
export const ERR_CODE_DIMENSION = 'errCode';
