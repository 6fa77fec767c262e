import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULTS } from '../../functions/contract/settings';

const cdk = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['node_modules/aws-cdk/bin/cdk', ...args], { env });
const offlineEnv = (home: string): Record<string, string> => ({
  PATH: String(process.env.PATH),
  HOME: home,
  AWS_EC2_METADATA_DISABLED: 'true',
  CI: 'true',
  // The run's bundle cache (npm test sets it): the same esbuild output, built once per run.
  ...(process.env.OPENIM_BUNDLE_CACHE_DIR ? { OPENIM_BUNDLE_CACHE_DIR: process.env.OPENIM_BUNDLE_CACHE_DIR } : {}),
});

/** `npm run synth` as a user runs it: offline, no credentials, cdk-nag on, exit code 0. */
it('synthesizes the stack with the CDK CLI, without credentials or Docker, and cdk-nag passes', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'openim-friend-events-cli-synth-'));
  try {
    const { stderr } = await cdk(['synth', '--quiet', '--output', outdir], offlineEnv(outdir));
    expect(stderr).not.toMatch(/AwsSolutions-/);
    const template = JSON.parse(readFileSync(join(outdir, `${DEFAULTS.stackName}.template.json`), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = new Set(Object.values(template.Resources).map((resource) => resource.Type));
    for (const type of [
      'AWS::Events::EventBus',
      'AWS::Lambda::Function',
      'AWS::ApiGatewayV2::Api',
      'AWS::SQS::Queue',
      'AWS::Lambda::EventSourceMapping',
      'AWS::Events::Archive',
    ]) {
      expect(types).toContain(type);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

it('refuses a bad setting given with -c, naming it, before anything is built', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'openim-friend-events-cli-synth-'));
  try {
    await expect(
      cdk(['synth', '--quiet', '--output', outdir, '-c', 'allowedSourceCidrs=10.0.0.0/33'], offlineEnv(outdir)),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/allowedSourceCidrs: expected IPv4 or IPv6 .*"10\.0\.0\.0\/33"/),
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
