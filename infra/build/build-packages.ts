import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import ts from 'typescript';
import { ENTRY_POINTS } from '../../functions/contract/deployment';
import { bundleInto, functionEntry, prebuiltName } from '../construct/bundled-function';
import { cdkManifest, contractManifest } from './manifests';
import { claimPackTarget } from './pack-target';

/**
 * Builds the two published packages from this repository's sources into `outDir/<name>/` and
 * packs each with `npm pack`: JavaScript bundled by esbuild (ESM), declarations emitted by tsc,
 * the JSON Schemas, and for the CDK package every function bundled in advance, so that an app
 * installing it needs neither esbuild nor the functions' sources.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Bare imports the CDK package may leave to its dependencies; anything else would fail at the user's. */
const CDK_PACKAGE_IMPORTS = /^(node:|aws-cdk-lib(\/|$)|constructs$)/;

export interface BuiltPackage {
  name: string;
  dir: string;
  tarball: string;
}

/** Refuses (PackTargetError) an `outDir` that holds anything but the packer's own earlier output. */
export const buildPackages = (outDir: string): BuiltPackage[] => {
  claimPackTarget(outDir);
  return [buildContractPackage(join(outDir, 'contract')), buildCdkPackage(join(outDir, 'cdk'))];
};

const buildContractPackage = (dir: string): BuiltPackage => {
  rmSync(dir, { recursive: true, force: true });
  bundleJs('functions/contract/index.ts', join(dir, 'dist/index.js'), /^$/);
  emitDeclarations(['functions/contract/index.ts'], join(dir, 'types'), 'functions/contract');
  cpSync(join(ROOT, 'functions/contract/schemas'), join(dir, 'schemas'), { recursive: true });
  return pack(dir, contractManifest());
};

const buildCdkPackage = (dir: string): BuiltPackage => {
  rmSync(dir, { recursive: true, force: true });
  bundleJs('infra/construct/index.ts', join(dir, 'dist/index.js'), CDK_PACKAGE_IMPORTS);
  emitDeclarations(['infra/construct/index.ts'], join(dir, 'types'), '.');
  bundlePrebuiltFunctions(
    functionEntries().flatMap((entry) =>
      [false, true].map((tracing) => ({
        outdir: join(dir, 'prebuilt-functions', prebuiltName({ entry, tracing })),
        entry,
        tracing,
      })),
    ),
  );
  return pack(dir, cdkManifest());
};

/**
 * Functions bundled in advance, each into its `outdir`, with their source maps: the `sourceMaps`
 * setting then only turns `--enable-source-maps` on. esbuild names each source relative to the
 * map, so a bundle written outside the repository would carry the build machine's path; each
 * source is named instead as if the repository's root were the function's (`functions/...`,
 * `node_modules/...`), the same in every tarball wherever it was built, and readable in a stack
 * trace from the function's root.
 */
export const bundlePrebuiltFunctions = (functions: { outdir: string; entry: string; tracing: boolean }[]): void => {
  bundleInto(functions.map(({ outdir, entry, tracing }) => ({ outdir, props: { entry, tracing, sourceMaps: true } })));
  for (const { outdir } of functions) relativeSourceMaps(outdir);
};

/** Names the sources of every map in `outdir` from the function's root (see above). */
const relativeSourceMaps = (outdir: string): void => {
  for (const file of readdirSync(outdir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.map')) continue;
    const path = join(outdir, file);
    const map = JSON.parse(readFileSync(path, 'utf8')) as { sources: string[] };
    map.sources = map.sources.map((source) =>
      // `node-builtin:fs` and the like name no file.
      /^[a-z-]+:/.test(source)
        ? source
        : relative(dirname(path), join(outdir, relative(ROOT, resolve(dirname(path), source)))),
    );
    writeFileSync(path, JSON.stringify(map));
  }
};

/** Every handler of the repository, as the deployment part of the contract lists them. */
const functionEntries = (): string[] => Object.values(ENTRY_POINTS).map(functionEntry);

/** One ESM file; bare imports stay imports, and must be ones the package may leave to its dependencies. */
const bundleJs = (entry: string, outfile: string, allowedImports: RegExp): void => {
  const result = buildSync({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'warning',
  });
  const external = Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((imported) => imported.external)
    .map((imported) => imported.path)
    .filter((path) => !allowedImports.test(path));
  if (external.length > 0)
    throw new Error(`${entry} imports what its package does not provide: ${external.join(', ')}`);
};

/**
 * Declarations by tsc, relative specifiers given their `.js` (an ESM consumer resolving with
 * node16/nodenext needs them; this repository's sources leave them out).
 */
const emitDeclarations = (entries: string[], outDir: string, rootDir: string): void => {
  const program = ts.createProgram(
    entries.map((entry) => join(ROOT, entry)),
    {
      declaration: true,
      emitDeclarationOnly: true,
      outDir,
      rootDir: join(ROOT, rootDir),
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      skipLibCheck: true,
      types: ['node'],
    },
  );
  const result = program.emit();
  const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter(
    (diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error,
  );
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost({})));
  for (const file of readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.d.ts')) continue;
    const path = join(outDir, file);
    writeFileSync(path, withJsExtensions(readFileSync(path, 'utf8')));
  }
};

/** `from './x'` and `import('./x')` become `./x.js` (pure). */
export const withJsExtensions = (code: string): string =>
  code.replace(/((?:from\s+|import\()\s*['"])(\.{1,2}\/[^'"]+?)(?<!\.js)(['"])/g, '$1$2.js$3');

const pack = (dir: string, manifest: { name: string }): BuiltPackage => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(output) as [{ filename: string }];
  return { name: manifest.name, dir, tarball: join(dir, filename) };
};
