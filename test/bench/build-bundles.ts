import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { build, type Metafile } from 'esbuild';
import { builtinsAsCommonJs } from '../../infra/build/esbuild-bundle.mjs';
import { BundledFunction, bundleOptions, functionEntry } from '../../infra/construct/bundled-function';
import { coldLoadedFiles } from '../helpers/bundle-files';

const PRODUCT_ENTRY = functionEntry('handlers/callback.ts');
const FLOOR_ENTRY = fileURLToPath(new URL('./floor-handler.ts', import.meta.url));

/** The one bundle (`index.mjs`) in a synthesized cloud assembly. */
const bundleIn = (outdir: string): string => {
  const bundles = readdirSync(outdir)
    .filter((name) => name.startsWith('asset.') && readdirSync(join(outdir, name)).includes('index.mjs'))
    .map((name) => join(outdir, name, 'index.mjs'));
  if (bundles.length !== 1 || !bundles[0]) throw new Error(`expected one bundle in ${outdir}, found ${bundles.length}`);
  return bundles[0];
};

/**
 * A bundle built by the construct every function of the stack uses (`BundledFunction`: the
 * local esbuild, ESM, minified, `mainFields: ['module', 'main']`), so it is byte for byte what
 * `cdk synth` deploys for that entry. One function per app: the rest of the stack is not built.
 */
const buildWithConstruct = (entry: string, outdir: string, tracing: boolean): string => {
  const app = new App({ outdir });
  new BundledFunction(new Stack(app, 'Bench'), 'Function', {
    entry,
    description: 'benchmark bundle',
    memorySize: 512,
    timeout: Duration.seconds(10),
    logRetention: logs.RetentionDays.ONE_DAY,
    removalPolicy: RemovalPolicy.DESTROY,
    tracing,
    environment: {},
  });
  app.synth();
  return bundleIn(outdir);
};

/** The callback function's bundle exactly as deployed. */
export const buildProductBundle = (outdir: string, props: { tracing?: boolean } = {}): string =>
  buildWithConstruct(PRODUCT_ENTRY, outdir, props.tracing ?? false);

/** The floor: only an EventBridge client and one PutEvents, bundled by the same construct. */
export const buildFloorBundle = (outdir: string): string => buildWithConstruct(FLOOR_ENTRY, outdir, false);

/**
 * An entry built directly by esbuild with the construct's own options (`bundleOptions`) plus a
 * metafile, optionally with a source map (mappings only): for the "source maps on" row and the
 * table of what the bundles hold. Source maps are opt-in, so the deployed bundle has none.
 */
export const buildWithEsbuild = async (
  which: 'product' | 'floor',
  outdir: string,
  options: { sourceMap: boolean },
): Promise<{ bundle: string; metafile: Metafile }> => {
  const entry = which === 'product' ? PRODUCT_ENTRY : FLOOR_ENTRY;
  const { metafile } = await build({
    ...bundleOptions({ entry, sourceMaps: options.sourceMap }),
    plugins: [builtinsAsCommonJs],
    outdir,
    metafile: true,
  });
  return { bundle: join(outdir, 'index.mjs'), metafile };
};

/** Bytes of the output files Node reads at cold start (the entry and its static chunks), by npm package. */
export const coldBytesByPackage = (metafile: Metafile, bundle: string): [string, number][] => {
  const cold = new Set(coldLoadedFiles(dirname(bundle)).map((file) => relative(process.cwd(), file)));
  return bytesByPackage({
    ...metafile,
    outputs: Object.fromEntries(
      Object.entries(metafile.outputs).filter(([file]) => cold.has(relative(process.cwd(), file))),
    ),
  });
};

/** Bytes of the bundle's output by npm package (or `(own code)`), largest first. */
export const bytesByPackage = (metafile: Metafile): [string, number][] => {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? '(own code)';
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
};
