import type { FriendListChanges, FriendRow } from './openim-directory';

/**
 * OpenIM's current friend list of an owner, from the list as OpenIM last reported it plus what
 * changed since: rows removed, then rows added or changed (the row as it is now). Applying a
 * change the list already holds changes nothing, so a list read a little after the version it
 * was asked from is still exact once the next changes are applied.
 */
export const applyChanges = (
  lastReported: readonly FriendRow[],
  changes: Extract<FriendListChanges, { kind: 'changes' }>,
): FriendRow[] => {
  const rows = new Map(lastReported.map((row) => [row.userID, row]));
  for (const userID of changes.removed) rows.delete(userID);
  for (const row of changes.upserted) rows.set(row.userID, row);
  return [...rows.values()];
};
