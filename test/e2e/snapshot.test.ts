import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FriendListSnapshotDetail, FriendSnapshotCompletedDetail } from '../../functions/contract/events';
import { readEvents } from '../../infra/cli-kit/event-log';
import { type LocalStart, startLocal } from '../helpers/npm-start';
import { runCli } from '../helpers/run-cli';

/**
 * A snapshot as a user asks for one: `npm start` with a stand-in OpenIM where one user has 520
 * friends (more than one page of OpenIM's list, 500) whose remarks (1.2 KB each) make several parts,
 * and blocks no callback ever reported, then `npm run snapshot -- --local --for mine` in its own
 * process, read back from the events file.
 */
const dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-snapshot-'));
const eventsFile = join(dir, 'events.jsonl');
const seedFile = join(dir, 'seed.json');
const crowd = Array.from({ length: 520 }, (_, index) => `fan${String(index).padStart(4, '0')}`);
writeFileSync(
  seedFile,
  JSON.stringify({
    users: ['star', 'bob', 'carol', ...crowd],
    friends: crowd.map((fan, index) => ({
      ownerUserID: 'star',
      friendUserID: fan,
      remark: `${'★'.repeat(400)} ${index}`,
    })),
    blacks: [
      ['bob', 'carol'],
      ['star', 'bob'],
    ],
  }),
);

let local: LocalStart;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  local = await startLocal(dir, { OPENIM_SEED_FILE: seedFile, OPENIM_API_CALLS_PER_SECOND: '1000' });
  cliEnv = { LOCAL_AWS_PORT: local.awsPort };
}, 60_000);

afterAll(async () => {
  await local.stop();
  rmSync(dir, { recursive: true, force: true });
});

const snapshotEvents = (id: string) =>
  readEvents(eventsFile).filter(
    (event) => (event.detail as { snapshot?: { id?: string } }).snapshot?.id?.startsWith(id) === true,
  );

it('a wrong request is a usage error (its --help: test/e2e/cli.test.ts)', async () => {
  const usage = await runCli('infra/cli/snapshot.ts', ['--local', '--for', 'two words'], cliEnv);
  expect(usage.code).toBe(2);
  expect(usage.stderr.split('\n')[0]).toMatch(/^error: --for must name the subscriber/);
});

it('sends every user its lists as OpenIM holds them, in parts of at most 256 KiB, addressed to the subscriber, then the completion', async () => {
  const run = await runCli('infra/cli/snapshot.ts', ['--local', '--for', 'mine'], cliEnv);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const id = /snapshot (snapshot-mine-\S+) for mine started/.exec(run.stdout)?.[1] ?? 'none';
  // The seeded users and the stand-in's two admin users.
  expect(run.stdout).toMatch(/for mine completed in \d+s; 525 of 525 users sent, 520 friend rows, 2 black rows/);

  const events = snapshotEvents(id);
  const detailTypes = events.map((event): string => event['detail-type']);
  expect(detailTypes.at(-1)).toBe('FriendSnapshotCompleted');
  expect(detailTypes.filter((type) => type === 'FriendSnapshotCompleted')).toHaveLength(1);
  const parts = events.slice(0, -1).map((event) => event.detail as unknown as FriendListSnapshotDetail);
  for (const event of events) {
    expect((event.detail as unknown as { snapshot: unknown }).snapshot).toEqual({ id, for: 'mine' });
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(256 * 1024);
  }
  const star = parts.filter((part) => part.ownerUserID === 'star').sort((a, b) => a.part - b.part);
  expect(star.length).toBeGreaterThan(1);
  expect(star.map((part) => part.part)).toEqual(Array.from({ length: star.length }, (_, index) => index + 1));
  expect(star.flatMap((part) => part.friends.map((friend) => friend.friendUserID))).toEqual(crowd);
  expect(star.flatMap((part) => part.blackUserIDs)).toEqual(['bob']);
  expect(parts.find((part) => part.ownerUserID === 'bob')).toMatchObject({ friends: [], blackUserIDs: ['carol'] });
  expect(parts.find((part) => part.ownerUserID === 'fan0007')).toMatchObject({
    friends: [],
    blackUserIDs: [],
  });
  const completed = events.at(-1)?.detail as unknown as FriendSnapshotCompletedDetail;
  expect(completed).toMatchObject({ users: 525, friendRows: 520, blackRows: 2, unreadableUserIDs: [] });
}, 240_000);

it('--user limits a snapshot to the users named', async () => {
  const run = await runCli(
    'infra/cli/snapshot.ts',
    ['--local', '--for', 'mine', '--user', 'bob', '--user', 'carol'],
    cliEnv,
  );
  expect(run.code).toBe(0);
  const id = /snapshot (snapshot-mine-\S+) for mine started/.exec(run.stdout)?.[1] ?? 'none';
  const owners = snapshotEvents(id).flatMap((event) =>
    (event['detail-type'] as string) === 'FriendListSnapshot'
      ? [(event.detail as unknown as { ownerUserID: string }).ownerUserID]
      : [],
  );
  expect(owners.sort()).toEqual(['bob', 'carol']);
}, 120_000);
