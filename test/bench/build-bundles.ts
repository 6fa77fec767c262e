import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BundledFunction } from '../../infra/bundled-function';
import { synthStack } from '../helpers/synth';

/** The one bundle (`index.mjs`) in a synthesized cloud assembly. */
const bundleIn = (outdir: string): string => {
  const bundles = readdirSync(outdir)
    .filter((name) => name.startsWith('asset.') && readdirSync(join(outdir, name)).includes('index.mjs'))
    .map((name) => join(outdir, name, 'index.mjs'));
  if (bundles.length !== 1 || !bundles[0]) throw new Error(`expected one bundle in ${outdir}, found ${bundles.length}`);
  return bundles[0];
};

/** Our function's bundle exactly as `cdk synth` builds it. */
export const buildProductBundle = (outdir: string, props: { tracing?: boolean } = {}): string => {
  synthStack(props, { bundle: true, outdir }).app.synth();
  return bundleIn(outdir);
};

/** The floor, bundled by the same construct with the same esbuild settings. */
export const buildFloorBundle = (outdir: string): string => {
  const app = new App({ outdir });
  new BundledFunction(new Stack(app, 'Floor'), 'Floor', {
    entry: fileURLToPath(new URL('./floor-handler.ts', import.meta.url)),
    description: 'benchmark floor',
    runtime: lambda.Runtime.NODEJS_22_X,
    memorySize: 512,
    timeout: Duration.seconds(10),
    logRetention: logs.RetentionDays.ONE_DAY,
    environment: {},
  });
  app.synth();
  return bundleIn(outdir);
};
