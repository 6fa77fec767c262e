import { SUBSCRIBER_NAME } from '../contract/rule-pattern';

/**
 * What starts a snapshot: the state machine's input `{ "snapshot": { "for": "<subscriber>",
 * "users": [...] } }` (what `npm run snapshot` sends). Checked before the lock is taken, so a bad
 * request fails at once, naming what is wrong.
 */
export interface SnapshotRequest {
  /** The subscriber the snapshot is addressed to (`friend-graph` is the reference graph). */
  for: string;
  /** Only these owners; every user OpenIM lists when absent. */
  users?: string[];
}

/** Named owners travel in the execution's input and state (256 KiB each): a longer list is refused. */
export const MAX_NAMED_USERS = 1_000;
/** OpenIM's user IDs are at most 64 characters. */
const MAX_USER_ID_LENGTH = 64;

/** The error name the state machine fails on at once (no retry can help). */
export const SNAPSHOT_REQUEST_INVALID = 'SnapshotRequestInvalid';

export class SnapshotRequestInvalid extends Error {
  override readonly name = SNAPSHOT_REQUEST_INVALID;
}

/** The request in `input.snapshot`, undefined when the input asks for a sweep; throws `SnapshotRequestInvalid`. */
export const snapshotRequestOf = (input: unknown): SnapshotRequest | undefined => {
  if (typeof input !== 'object' || input === null || !('snapshot' in input)) return undefined;
  const { snapshot } = input as { snapshot: unknown };
  if (typeof snapshot !== 'object' || snapshot === null || Array.isArray(snapshot))
    throw new SnapshotRequestInvalid('snapshot must be an object: { "for": "<subscriber>", "users": [...] }');
  const { for: subscriber, users, ...rest } = snapshot as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0)
    throw new SnapshotRequestInvalid(`snapshot has unknown fields: ${unknownKeys.join(', ')} (only "for" and "users")`);
  if (typeof subscriber !== 'string' || !SUBSCRIBER_NAME.test(subscriber))
    throw new SnapshotRequestInvalid(
      'snapshot.for must name the subscriber: 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  if (users === undefined) return { for: subscriber };
  if (!Array.isArray(users) || users.length === 0 || users.length > MAX_NAMED_USERS)
    throw new SnapshotRequestInvalid(`snapshot.users must be a list of 1 to ${MAX_NAMED_USERS} user IDs`);
  for (const user of users) {
    if (typeof user !== 'string' || user === '' || user.length > MAX_USER_ID_LENGTH)
      throw new SnapshotRequestInvalid(
        `snapshot.users holds ${JSON.stringify(user)}: each must be a user ID of 1 to ${MAX_USER_ID_LENGTH} characters`,
      );
  }
  return { for: subscriber, users: [...new Set(users as string[])] };
};
