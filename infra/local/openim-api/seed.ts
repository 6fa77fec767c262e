import { readFileSync } from 'node:fs';
import { ADD_SOURCE, FriendRecord, type OpenImModel } from './model';

/**
 * The stand-in's starting data. A seed file is JSON:
 *
 * ```json
 * {
 *   "users": ["alice", { "userID": "bob", "nickname": "Bob" }],
 *   "friendships": [["alice", "bob"]],
 *   "friends": [{ "ownerUserID": "alice", "friendUserID": "carol", "remark": "Carol (work)", "isPinned": true }],
 *   "blacks": [["alice", "dave"], { "ownerUserID": "bob", "blackUserID": "dave", "ex": "" }]
 * }
 * ```
 * `friendships` are imported pairs (both directed rows); `friends` are single directed rows, for
 * one-sided states (optional `remark`, `isPinned`, `ex`, `addSource`, `operatorUserID`,
 * `createTime` in seconds); `blacks` are [owner, black] pairs or objects. Every ID must be a user.
 * Admin users are added as OpenIM adds them at start. Bench data is generated in code instead.
 */
export interface Seed {
  users?: (string | { userID: string; nickname?: string; faceURL?: string; ex?: string })[];
  friendships?: [string, string][];
  friends?: {
    ownerUserID: string;
    friendUserID: string;
    remark?: string;
    isPinned?: boolean;
    ex?: string;
    addSource?: number;
    operatorUserID?: string;
    createTime?: number;
  }[];
  blacks?: ([string, string] | { ownerUserID: string; blackUserID: string; ex?: string })[];
}

export class SeedError extends Error {
  override name = 'SeedError';
}

export const readSeedFile = (path: string): Seed => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SeedError(`cannot read the seed file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as Seed;
  } catch (error) {
    throw new SeedError(`the seed file ${path} is not JSON: ${(error as Error).message}`);
  }
};

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Loads `seed` into `model`; the first problem fails with where it is. */
export const applySeed = (model: OpenImModel, seed: Seed, operator: string, nowSeconds: number): void => {
  if (typeof seed !== 'object' || seed === null) throw new SeedError('the seed must be a JSON object');
  const user = (id: unknown, where: string): string => {
    if (!isText(id))
      throw new SeedError(`${where}: expected a user ID (a non-empty string), got ${JSON.stringify(id)}`);
    if (!model.hasUser(id)) throw new SeedError(`${where}: "${id}" is not in users`);
    return id;
  };
  (seed.users ?? []).forEach((entry, at) => {
    const value = typeof entry === 'string' ? { userID: entry } : entry;
    if (!isText(value?.userID)) throw new SeedError(`users[${at}]: expected a user ID or { "userID": ... }`);
    model.addUser(value);
  });
  (seed.friendships ?? []).forEach((pair, at) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new SeedError(`friendships[${at}]: expected [userID, userID]`);
    const [a, b] = [user(pair[0], `friendships[${at}]`), user(pair[1], `friendships[${at}]`)];
    if (a === b) throw new SeedError(`friendships[${at}]: a user cannot be their own friend`);
    for (const [owner, friend] of [
      [a, b],
      [b, a],
    ] as const) {
      model.seedRow(owner, new FriendRecord(friend, '', false, '', ADD_SOURCE.import, operator, nowSeconds));
    }
  });
  (seed.friends ?? []).forEach((row, at) => {
    const where = `friends[${at}]`;
    const owner = user(row?.ownerUserID, `${where}.ownerUserID`);
    const friend = user(row.friendUserID, `${where}.friendUserID`);
    model.seedRow(
      owner,
      new FriendRecord(
        friend,
        String(row.remark ?? ''),
        row.isPinned === true,
        String(row.ex ?? ''),
        Number(row.addSource ?? ADD_SOURCE.import),
        String(row.operatorUserID ?? operator),
        Number(row.createTime ?? nowSeconds),
      ),
    );
  });
  (seed.blacks ?? []).forEach((entry, at) => {
    const where = `blacks[${at}]`;
    const [owner, black, ex] = Array.isArray(entry)
      ? [entry[0], entry[1], '']
      : [entry?.ownerUserID, entry?.blackUserID, entry?.ex ?? ''];
    model.blackLists.add(user(owner, where), user(black, where), String(ex), operator);
  });
};

/** The shape of generated bench data: user count, directed friend rows (two per friendship), black entries. */
export interface GeneratedData {
  users: number;
  directedEdges: number;
  blacks?: number;
  /** The same number gives the same data. */
  randomSeed?: number;
}

/** Numeric-looking IDs, as OpenIM deployments often use (and which must never be parsed as numbers). */
export const generatedUserID = (index: number): string => String(3_000_000_000 + index);

/** Fills `model` with random friendships and black entries among `users` users (xorshift32, reproducible). */
export const generateData = (model: OpenImModel, shape: GeneratedData, operator: string, nowSeconds: number): void => {
  const { users, directedEdges, blacks = 0 } = shape;
  const pairs = Math.floor(directedEdges / 2);
  if (users < 2 || pairs > (users * (users - 1)) / 4) {
    throw new SeedError(`cannot place ${directedEdges} directed friend rows among ${users} users`);
  }
  let state = shape.randomSeed ?? 0x9e3779b9;
  const random = (below: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
  const ids = Array.from({ length: users }, (_, index) => generatedUserID(index));
  for (const userID of ids) model.addUser({ userID });
  for (let made = 0; made < pairs; ) {
    const a = ids[random(users)] as string;
    const b = ids[random(users)] as string;
    if (a === b || model.isFriend(a, b)) continue;
    model.seedRow(a, new FriendRecord(b, '', false, '', ADD_SOURCE.import, operator, nowSeconds));
    model.seedRow(b, new FriendRecord(a, '', false, '', ADD_SOURCE.import, operator, nowSeconds));
    made++;
  }
  for (let made = 0; made < blacks; ) {
    const owner = ids[random(users)] as string;
    const black = ids[random(users)] as string;
    if (owner === black || model.blackLists.page(owner, 1, users).blacks.some((entry) => entry.blackUserID === black))
      continue;
    model.blackLists.add(owner, black, '', operator);
    made++;
  }
};
