import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedUserID } from '../../../infra/local/openim-api/seed';
import { startOpenImStandIn } from '../../../infra/local/openim-api/stand-in';
import { runCli } from '../../helpers/run-cli';

/** Starting data: a seed file, generated bench data, and the errors a person may make. */
it('loads the example seed file: users, imported friendships, one-sided rows, blacks, and the admin', async () => {
  const standIn = await startOpenImStandIn({ seedFile: 'infra/local/openim-api/seed.example.json' });
  try {
    const { model } = standIn;
    expect(model.userPage(1, 10).userIDs).toEqual(['imAdmin', '3958741620', '6127384950', '8801234567', '4455667788']);
    expect(model.friendIDs('3958741620')).toEqual(['6127384950', '8801234567']);
    expect(model.friendRows('4455667788')).toEqual([
      expect.objectContaining({ friendUserID: '3958741620', remark: 'Alice (work)', isPinned: true }),
    ]);
    expect(model.isFriend('3958741620', '4455667788')).toBe(false); // one-sided
    expect(model.blackLists.has('6127384950', '4455667788')).toBe(true);
  } finally {
    await standIn.close();
  }
});

it.each([
  [{ users: ['a'], friendships: [['a', 'ghost']] }, 'friendships[0]: "ghost" is not in users'],
  [{ users: ['a'], friends: [{ ownerUserID: 'a', friendUserID: 7 }] }, 'friends[0].friendUserID: expected a user ID'],
  [{ users: ['a', { nickname: 'x' }] }, 'users[1]: expected a user ID'],
  [{ users: ['a'], friendships: [['a', 'a']] }, 'friendships[0]: a user cannot be their own friend'],
])('refuses a seed with a mistake, saying where: %j', async (seed, message) => {
  await expect(startOpenImStandIn({ seed: seed as never })).rejects.toThrow(message);
});

it('generates bench data in code, the same for the same random seed', async () => {
  const shape = { users: 5_000, directedEdges: 50_000, blacks: 500, randomSeed: 7 };
  const [first, second] = await Promise.all([
    startOpenImStandIn({ generate: shape }),
    startOpenImStandIn({ generate: shape }),
  ]);
  try {
    let rows = 0;
    let blacks = 0;
    for (let index = 0; index < shape.users; index++) {
      const userID = generatedUserID(index);
      rows += first.model.friendIDs(userID).length;
      blacks += first.model.blackLists.page(userID, 1, 1_000).total;
      expect(second.model.friendIDs(userID)).toEqual(first.model.friendIDs(userID));
    }
    expect({ rows, blacks }).toEqual({ rows: 50_000, blacks: 500 });
    expect(first.model.userPage(1, 0).total).toBe(5_001); // and the admin
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

describe('the serve CLI', () => {
  it('prints its help with the control endpoints', async () => {
    const { code, stdout } = await runCli('infra/local/openim-api/serve.ts', ['--help'], {});
    expect(code).toBe(0);
    expect(stdout).toContain('POST /_standin/faults');
  });

  it('refuses a seed file it cannot use in one line, exit 2', async () => {
    const file = join(tmpdir(), `stand-in-seed-${process.pid}.json`);
    writeFileSync(file, '{"users":["a"],"blacks":[["a","b"]]}');
    try {
      const { code, stderr } = await runCli(
        'infra/local/openim-api/serve.ts',
        ['--seed-file', file, '--port', '0'],
        {},
      );
      expect([code, stderr.trim()]).toEqual([2, 'error: blacks[0]: "b" is not in users']);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
