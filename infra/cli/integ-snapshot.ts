import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-kit/cli-errors';
import { runCdk } from './cdk-cli';

/**
 * The integration test on a real account (`test/integ/integ.friend-events.ts`, written with
 * @aws-cdk/integ-tests-alpha) and its committed snapshot, laid out as integ-runner lays them out.
 * integ-runner itself cannot run here: its newest release (2.197.10) reads cloud assemblies up to
 * schema 53, and aws-cdk-lib 2.276 writes 55 (docs/design.md). This does its two jobs with the
 * project's own CDK CLI: compare the synthesized test with the snapshot offline, and run it.
 */
export const INTEG_APP = fileURLToPath(new URL('../../test/integ/integ.friend-events.ts', import.meta.url));
export const SNAPSHOT_DIR = `${INTEG_APP}.snapshot`;
/** The CDK app command of the integration test (cdk's `--app`). */
export const INTEG_APP_COMMAND = `node --import tsx ${INTEG_APP}`;

/** The CLI's own additions to the templates (construct paths, asset paths, version reporting): not the test's. */
const NO_CLI_METADATA = ['--path-metadata', 'false', '--asset-metadata', 'false', '--version-reporting', 'false'];

/**
 * Synthesizes the integration test into `outdir` with the project's CDK CLI, as `--deploy`
 * synthesizes it but without the CLI's own metadata; it needs no credentials (the stacks name no
 * account). Prints what cdk prints, the stacks it synthesized among it.
 */
export const synthIntegTest = (outdir: string): void => {
  const status = runCdk([
    'synth',
    '--quiet',
    '--no-notices',
    ...NO_CLI_METADATA,
    '--app',
    INTEG_APP_COMMAND,
    '--output',
    outdir,
  ]);
  if (status !== 0) throw new CliError(`the integration test did not synthesize (cdk exit code ${status})`);
};

/** What a snapshot holds: every stack's template and the test's description. */
const snapshotFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.template.json') || name === 'integ.json')
    .sort();

/**
 * A template with what changes on every synth, or with any change of code, made neutral, as
 * integ-runner does: asset hashes (a function's code is tested elsewhere) and the salt that makes
 * integ-tests-alpha repeat its API calls on every deployment.
 */
export const canonical = (text: string): unknown =>
  JSON.parse(text.replace(/[0-9a-f]{64}/g, '<hash>').replace(/"salt": ?"\d+"/g, '"salt":"<salt>"'));

/** The files that differ between a synthesized test and the snapshot; empty when they agree. */
export const snapshotDifferences = (outdir: string, snapshotDir = SNAPSHOT_DIR): string[] => {
  if (!existsSync(snapshotDir)) return [`no snapshot at ${snapshotDir}`];
  const files = [...new Set([...snapshotFiles(outdir), ...snapshotFiles(snapshotDir)])];
  return files.filter((file) => {
    const [now, then] = [join(outdir, file), join(snapshotDir, file)];
    if (!existsSync(now) || !existsSync(then)) return true;
    return (
      JSON.stringify(canonical(readFileSync(now, 'utf8'))) !== JSON.stringify(canonical(readFileSync(then, 'utf8')))
    );
  });
};

/** Replaces the snapshot with what `outdir` holds (templates and integ.json; assets are not kept). */
export const writeSnapshot = (outdir: string, snapshotDir = SNAPSHOT_DIR): void => {
  rmSync(snapshotDir, { recursive: true, force: true });
  mkdirSync(snapshotDir, { recursive: true });
  for (const file of snapshotFiles(outdir)) {
    writeFileSync(
      join(snapshotDir, file),
      `${JSON.stringify(JSON.parse(readFileSync(join(outdir, file), 'utf8')), null, 1)}\n`,
    );
  }
};

/**
 * The failed assertions in `cdk deploy --outputs-file` output: integ-tests-alpha reports each
 * assertion as a stack output `AssertionResults...` holding `{"status":"success"|"fail",...}`.
 */
export const failedAssertions = (outputs: Record<string, Record<string, string>>): string[] => {
  const results = Object.values(outputs).flatMap((stack) =>
    Object.entries(stack).filter(([key]) => key.startsWith('AssertionResults')),
  );
  if (results.length === 0) return ['no assertion results in the deployment outputs'];
  return results.flatMap(([key, value]) => {
    const parsed = JSON.parse(value) as { status?: string; message?: string };
    return parsed.status === 'success' ? [] : [`${key}: ${parsed.message ?? value}`];
  });
};
