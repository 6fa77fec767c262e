import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvents } from '../../infra/cli-kit/event-log';
import { type LocalStart, startLocal, waitFor } from '../helpers/npm-start';
import { runCli } from '../helpers/run-cli';

/**
 * The whole system as a user runs it: `npm start` (callbacks, bus, friend graph, reconciler,
 * OpenIM API stand-in whose writes post OpenIM's callbacks to it), changes made through OpenIM's
 * own API, some of whose callbacks never arrive, then `npm run reconcile -- --local` and
 * `npm run graph -- --local`, in their own processes.
 */
const dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-reconcile-'));
const eventsFile = join(dir, 'events.jsonl');
const seedFile = join(dir, 'seed.json');
writeFileSync(seedFile, JSON.stringify({ users: ['alice', 'bob', 'carol', 'dave', 'erin'] }));

let local: LocalStart;
let cliEnv: Record<string, string>;
let openIm = '';

/** A call to OpenIM's API as an admin tool makes it (the stand-in's imAdmin / openIM123). */
let token = '';
const openImCall = async (path: string, body: object) => {
  const response = await fetch(`${openIm}${path}`, {
    method: 'POST',
    headers: { operationID: `e2e-${Date.now()}`, ...(token ? { token } : {}) },
    body: JSON.stringify(body),
  });
  const reply = (await response.json()) as { errCode: number; errMsg: string; data?: { token?: string } };
  if (reply.errCode !== 0) throw new Error(`${path}: ${reply.errCode} ${reply.errMsg}`);
  return reply.data;
};
const standInControl = async (path: string, body: object) => {
  const response = await fetch(`${openIm}/_standin/${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
};

const callbacks = (detailType: string) => readEvents(eventsFile).filter((event) => event['detail-type'] === detailType);
const graph = async (user: string) => {
  const { code, stdout, stderr } = await runCli('infra/cli/graph.ts', ['--local', '--user', user, '--json'], cliEnv);
  if (code !== 0) throw new Error(`npm run graph failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as { friends: { userID: string; remark: string }[]; blacklist: string[] };
};

beforeAll(async () => {
  local = await startLocal(dir, { OPENIM_SEED_FILE: seedFile, OPENIM_API_CALLS_PER_SECOND: '200' });
  openIm = local.openImApiUrl;
  cliEnv = { LOCAL_AWS_PORT: local.awsPort };
  token = (await openImCall('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' }))?.token ?? '';
}, 60_000);

afterAll(async () => {
  await local.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('repairs what OpenIM never delivered: a callback dropped on the way, a block, a delete never delivered', async () => {
  // Delivered: alice imports bob and carol; the graph follows the callback.
  await openImCall('/friend/import_friend', { ownerUserID: 'alice', friendUserIDs: ['bob', 'carol'] });
  await waitFor(local, 'the import callback', () => callbacks('AfterImportFriends')[0]);
  await waitFor(local, 'the graph to apply it', async () =>
    (await graph('alice')).friends.length === 2 ? true : undefined,
  );

  // Lost: dave imports erin, but that callback is dropped on the way; alice deletes bob, and that
  // callback too; alice blocks dave, which OpenIM never calls back at all.
  await standInControl('drop_webhooks', { callbackCommand: 'callbackAfterImportFriendsCommand' });
  await openImCall('/friend/import_friend', { ownerUserID: 'dave', friendUserIDs: ['erin'] });
  await standInControl('drop_webhooks', { callbackCommand: 'callbackAfterDeleteFriendCommand' });
  await openImCall('/friend/delete_friend', { ownerUserID: 'alice', friendUserID: 'bob' });
  await openImCall('/friend/add_black', { ownerUserID: 'alice', blackUserID: 'dave', ex: '' });
  expect(await graph('alice')).toEqual({
    userID: 'alice',
    friends: [
      { userID: 'bob', remark: '' },
      { userID: 'carol', remark: '' },
    ],
    blacklist: [],
  });

  // Seven users: the five, and the two admins OpenIM lists too (imAdmin and the reconciler's own).
  const sweep = await runCli('infra/cli/reconcile.ts', ['--local'], cliEnv);
  expect(sweep.stderr).toBe('');
  expect(sweep.stdout).toMatch(
    /completed in \d+s; 7 users checked, 4 differences \(2 friends added, 1 friends removed, 0 remarks changed, 1 blocks added, 0 blocks removed\), 4 repair events published, 0 OpenIM API errors/,
  );
  expect(sweep.code).toBe(0);

  // The repairs are on the bus (and in EVENTS_FILE, like every event)...
  const repairs = [...callbacks('FriendshipReconciled'), ...callbacks('BlacklistReconciled')].map((event) => {
    const detail = event.detail as unknown as Record<string, unknown>;
    return [detail.ownerUserID, detail.friendUserID ?? detail.blackUserID, detail.present].join(' ');
  });
  expect(repairs.sort()).toEqual(['alice bob false', 'alice dave true', 'dave erin true', 'erin dave true']);
  // ...and the graph applied them: a delete is one-sided, so bob still lists alice.
  await waitFor(local, 'the graph to apply the repairs', async () =>
    (await graph('alice')).blacklist.length === 1 ? true : undefined,
  );
  expect(await graph('alice')).toEqual({
    userID: 'alice',
    friends: [{ userID: 'carol', remark: '' }],
    blacklist: ['dave'],
  });
  expect((await graph('bob')).friends).toEqual([{ userID: 'alice', remark: '' }]);
  expect((await graph('dave')).friends).toEqual([{ userID: 'erin', remark: '' }]);

  // Nothing changed in OpenIM since: the next sweep finds nothing.
  const again = await runCli('infra/cli/reconcile.ts', ['--local'], cliEnv);
  expect(again.stdout).toMatch(/completed in \d+s; 7 users checked, 0 differences/);
  expect(again.code).toBe(0);
}, 180_000);

it('reconcile and graph say in one line what is wrong when npm start is not running (exit 3)', async () => {
  const { code, stderr } = await runCli('infra/cli/reconcile.ts', ['--local'], { LOCAL_AWS_PORT: '9' });
  expect(stderr).toMatch(
    /^error: nothing answers at http:\/\/127\.0\.0\.1:9 .*: run npm start first \(it writes its endpoints to \.local\/endpoints\.json, or LOCAL_ENDPOINTS_FILE\), or set LOCAL_AWS_PORT to its port\n$/,
  );
  expect(code).toBe(3);
  const usage = await runCli('infra/cli/graph.ts', ['--local'], {});
  expect(usage.stderr.split('\n')[0]).toBe('error: --user is required: the user whose lists to print');
  expect(usage.code).toBe(2);
});
