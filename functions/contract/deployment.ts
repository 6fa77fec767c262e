/**
 * What the construct and the functions agree on about the deployment: the entry points, the
 * tables' keys, the error names the reconciler's state machine matches and the counters its
 * dashboard shows. A module with no imports, so the CDK construct (and the published CDK package)
 * names them without loading function internals or the AWS SDK clients.
 */

/** Every Lambda entry point, by its path under `functions/`. */
export const ENTRY_POINTS = {
  callback: 'handlers/callback.ts',
  retryDrainer: 'handlers/retry-drainer.ts',
  friendGraph: 'handlers/friend-graph.ts',
  reconcilePlan: 'handlers/reconcile-plan.ts',
  reconcileWorker: 'handlers/reconcile-worker.ts',
  reconcileFinish: 'handlers/reconcile-finish.ts',
} as const;

/** The reference graph's subscriber name: `npm run snapshot -- --for friend-graph` rebuilds it. */
export const FRIEND_GRAPH_SUBSCRIBER = 'friend-graph';

/** Key of the friend graph table: one item per directed pair. */
export const FRIEND_GRAPH_KEY = { partitionKey: 'ownerUserID', sortKey: 'otherUserID' } as const;

/** Key of the reconciler's own table: one partition per sweep, per user mirror, and the lock. */
export const RECONCILER_KEY = { partitionKey: 'pk', sortKey: 'sk' } as const;
/** DynamoDB's time-to-live attribute (epoch seconds): sweep records expire. */
export const RECONCILER_TTL_ATTRIBUTE = 'ttl';
/** What the stack puts in the admin secret it creates: the user replaces it with OpenIM's secret. */
export const ADMIN_SECRET_PLACEHOLDER = 'set-this-to-openim-share-yml-secret';
/** What the stack puts in the admin token secret it creates: no token yet (the first login writes one). */
export const NO_ADMIN_TOKEN = '{}';
/**
 * Partition key prefix of the item that held the admin token in plain text before it was sealed in
 * its own secret: never read, deleted on login (the only key the functions may delete it by).
 */
export const LEGACY_TOKEN_KEY_PREFIX = 'token#';

/**
 * The error names the reconciler's functions fail with, as the state machine's Retry and Catch
 * match them (`infra/construct/reconciler-definition.ts` reads these, so the two cannot drift apart).
 */
export const ENGINE_ERRORS = {
  /** OpenIM did not answer, or answered that trying later may help: retried with backoff. */
  openImUnavailable: 'OpenImUnavailable',
  /** OpenIM refused for good (wrong secret, not an admin, bad request): the sweep fails. */
  openImRefused: 'OpenImRefused',
  /** The admin secret was never filled in: the sweep fails with how to set it. */
  adminSecretNotSet: 'AdminSecretNotSet',
} as const;

/**
 * How OpenIM's lists of one owner can differ from the graph's view of that owner: each kind is a
 * counter of a sweep and a dimension of the differences metric.
 */
export const DIFFERENCE_KINDS = [
  'friendAdded',
  'friendRemoved',
  'remarkChanged',
  'blacklistAdded',
  'blacklistRemoved',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];
