/**
 * What the reconciler's stack and its functions agree on about its resources. A module with no
 * imports, so the CDK construct can name them without loading the AWS SDK clients.
 */

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
