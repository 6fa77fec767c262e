import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonical, failedAssertions, SNAPSHOT_DIR, snapshotDifferences } from '../../infra/cli/integ-snapshot';
import { runCli } from '../helpers/run-cli';

/**
 * The integration test for a real account (test/integ/), offline: the project's CDK CLI
 * synthesizes it (the assembly `--deploy` deploys), it matches its committed snapshot, and the
 * runner tells a passed deployment from a failed one.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-integ-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('npm run integ: the CDK CLI synthesizes the integration test offline, and it matches its committed snapshot', async () => {
  // No credentials of any kind: it must synthesize offline.
  const { code, stdout, stderr } = await runCli('infra/cli/integ.ts', [], {
    AWS_PROFILE: undefined,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    HOME: dir,
    // The CDK's CloudFormation validation stays off here (test/setup-env.ts), as in the tests' own
    // synths: the snapshot is this test's subject, and the CDK CLI's synth of the product runs it (synth-cli).
  });
  // The three stacks --deploy deploys: the product twice, and integ-tests-alpha's assertions.
  expect(`${stdout}${stderr}`).toMatch(
    /Successfully synthesized[\s\S]*OpenImFriendEventsInteg, OpenImFriendEventsIntegDenied, FriendEventsInteg\/DefaultTest\/DeployAssert/,
  );
  expect(stdout).toContain('PASS: the integration test matches its snapshot');
  expect(code).toBe(0);
  // The snapshot it matched (integ.json included) names the product's two stacks as the test cases.
  const integ = JSON.parse(readFileSync(join(SNAPSHOT_DIR, 'integ.json'), 'utf8')) as {
    testCases: Record<string, { stacks: string[] }>;
  };
  expect(Object.values(integ.testCases).flatMap((testCase) => testCase.stacks)).toEqual([
    'OpenImFriendEventsInteg',
    'OpenImFriendEventsIntegDenied',
  ]);
});

describe('the snapshot comparison', () => {
  it('ignores asset hashes and the salt of the assertion calls, and names a file whose template changed', () => {
    const [before, after] = [join(dir, 'before'), join(dir, 'after')];
    cpSync(SNAPSHOT_DIR, before, { recursive: true });
    cpSync(SNAPSHOT_DIR, after, { recursive: true });
    expect(canonical(`{"S3Key":"${'a'.repeat(64)}.zip","salt":"1796094993598"}`)).toEqual(
      canonical(`{"S3Key":"${'b'.repeat(64)}.zip","salt": "1"}`),
    );
    expect(snapshotDifferences(after, before)).toEqual([]);

    const file = join(after, 'OpenImFriendEventsIntegDenied.template.json');
    const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, unknown> };
    template.Resources.Extra = { Type: 'AWS::SQS::Queue' };
    writeFileSync(file, JSON.stringify(template));
    expect(snapshotDifferences(after, before)).toEqual(['OpenImFriendEventsIntegDenied.template.json']);
    expect(snapshotDifferences(after, join(dir, 'missing'))).toEqual([expect.stringMatching(/^no snapshot at /)]);
  });
});

describe('a deployment run', () => {
  it('passes only when every assertion output says success', () => {
    const ok = JSON.stringify({ status: 'success' });
    const failed = JSON.stringify({ status: 'fail', message: 'Expected "integ-parked" but received nothing' });
    expect(
      failedAssertions({ Assert: { AssertionResultsA: ok, AssertionResultsB: ok }, Product: { Url: 'x' } }),
    ).toEqual([]);
    expect(failedAssertions({ Assert: { AssertionResultsA: ok, AssertionResultsB: failed } })).toEqual([
      'AssertionResultsB: Expected "integ-parked" but received nothing',
    ]);
    expect(failedAssertions({ Product: { Url: 'x' } })).toEqual(['no assertion results in the deployment outputs']);
  });
});
