import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** `npm run synth` as a user runs it: offline, no credentials, cdk-nag on, exit code 0. */
it('synthesizes the stack with the CDK CLI, without credentials or Docker, and cdk-nag passes', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'openim-friend-events-cli-synth-'));
  const env: Record<string, string> = {
    PATH: String(process.env.PATH),
    HOME: outdir,
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
  };
  try {
    const { stderr } = await promisify(execFile)(
      process.execPath,
      ['node_modules/aws-cdk/bin/cdk', 'synth', '--quiet', '--output', outdir],
      { env },
    );
    expect(stderr).not.toMatch(/AwsSolutions-/);
    const template = JSON.parse(readFileSync(join(outdir, 'OpenImFriendEvents.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = new Set(Object.values(template.Resources).map((resource) => resource.Type));
    for (const type of [
      'AWS::Events::EventBus',
      'AWS::Lambda::Function',
      'AWS::ApiGatewayV2::Api',
      'AWS::SQS::Queue',
      'AWS::Events::Archive',
    ]) {
      expect(types).toContain(type);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}, 60_000);
