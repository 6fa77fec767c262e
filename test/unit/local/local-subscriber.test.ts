import { EXIT } from '../../../infra/cli-kit/cli-args';
import { CliError } from '../../../infra/cli-kit/cli-errors';
import { matchesEventPattern, parseEventPattern } from '../../../infra/local/event-pattern';
import { defaultSubscriberPattern, loadSubscriber, subscriberNameOf } from '../../../infra/local/local-subscriber';

const event = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'id',
  'detail-type': detailType,
  source: 'openim',
  account: '000000000000',
  time: '2026-12-06T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { schemaVersion: 1, ...detail },
});

describe("a local subscriber's name", () => {
  it("is the module file's base name unless --name gives one", () => {
    expect(subscriberNameOf('./mine.ts')).toBe('mine');
    expect(subscriberNameOf('src/welcome-friends.js#onEvent')).toBe('welcome-friends');
    expect(subscriberNameOf('./mine.ts', 'welcome')).toBe('welcome');
  });

  it('refuses one that cannot be a subscriber name, saying which option to use', () => {
    expect(() => subscriberNameOf('./my handler.ts')).toThrow(
      /--subscriber's file name must be a subscriber name.*\(got "my handler"\); give one with --name <name>/,
    );
    expect(() => subscriberNameOf('./mine.ts', '-x')).toThrow(/^--name must be a subscriber name/);
    // A usage error: npm start prints it as one line and exits 2.
    expect(() => subscriberNameOf('./mine.ts', 'my service')).toThrow(
      expect.objectContaining({
        exitCode: EXIT.usage,
        message: expect.stringMatching(/^--name must be a subscriber name/),
      }),
    );
  });
});

describe("a local subscriber's default pattern", () => {
  const matches = (name: string) => {
    const pattern = parseEventPattern(defaultSubscriberPattern('openim', name));
    return (candidate: unknown) => matchesEventPattern(pattern, candidate);
  };

  it('takes the snapshots addressed to its name, and not those addressed to another', () => {
    const mine = matches('mine');
    for (const detailType of ['FriendListSnapshot', 'FriendSnapshotCompleted']) {
      expect(mine(event(detailType, { snapshot: { id: 'run', for: 'mine' } }))).toBe(true);
      expect(mine(event(detailType, { snapshot: { id: 'run', for: 'friend-graph' } }))).toBe(false);
    }
  });

  it('still takes every friend event, test traffic included (local traffic is all test traffic)', () => {
    const mine = matches('mine');
    expect(mine(event('AfterAddFriend', { fromUserID: 'a', toUserID: 'b' }))).toBe(true);
    expect(mine(event('AfterDeleteFriend', { synthetic: true }))).toBe(true);
  });
});

describe('loading a subscriber module (npm start -- --subscriber), each mistake a usage error of one line', () => {
  const everyEvent = defaultSubscriberPattern('openim', 'mine');
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => 'loaded',
      (error: unknown) => (error instanceof CliError ? [error.message, error.exitCode] : error),
    );

  it('loads the named export, or handler', async () => {
    const loaded = await loadSubscriber('test/fixtures/local-subscriber.ts#onFriendEvent', 'mine', everyEvent);
    expect(loaded).toMatchObject({ name: 'test/fixtures/local-subscriber.ts#onFriendEvent', subscriberName: 'mine' });
  });

  it.each([
    [
      'an export the module does not have',
      'test/fixtures/local-subscriber.ts#missing',
      everyEvent,
      /^--subscriber: test\/fixtures\/local-subscriber\.ts has no exported function missing \(its functions: onFriendEvent\)/,
    ],
    [
      'a pattern EventBridge refuses',
      'test/fixtures/local-subscriber.ts',
      '{"source": "openim"}',
      /^--pattern: Event pattern is not valid\. Reason: "source" must be an array or an object/,
    ],
    [
      'a file that is not there',
      'no/such/handler.ts',
      everyEvent,
      /^--subscriber: there is no file .*no\/such\/handler\.ts$/,
    ],
  ])('%s', async (_mistake, spec, pattern, message) => {
    const [text, exitCode] = (await refusal(loadSubscriber(spec, 'mine', pattern))) as [string, number];
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    expect(exitCode).toBe(EXIT.usage);
  });
});
