// esbuild with the plugin every function bundle of this repository is built with. Plain JavaScript,
// because `BundledFunction` runs it as a child process: CDK bundles synchronously, and esbuild runs
// plugins only in its asynchronous API. usage: node infra/build/esbuild-bundle.mjs < <esbuild options as JSON>
// (one object, or an array of them, built side by side: the package's twelve prebuilt functions
// then cost one process, not twelve).
//
// With OPENIM_BUNDLE_CACHE_DIR set (`npm test` sets it to a directory of its run), a bundle already
// built with the same options from files that have not changed since is copied from there instead
// of built again: the test suite synthesizes the same functions in many test files.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * Node's built-in modules are read with `process.getBuiltinModule` (the CommonJS module object)
 * instead of ES imports. An ES import of a built-in makes Node build that module's ES facade, which
 * reads every export: for `node:http` (middy's STATUS_CODES) that loads undici, http2, tls and
 * worker_threads at init, about 20 ms of the cold start on Node.js 24 here (docs/performance.md).
 * A named import becomes a property read when used. It also lets the CommonJS X-Ray SDK require
 * built-ins inside an ES module bundle. `process.getBuiltinModule` exists from Node.js 20.16 and 22.3.
 */
export const builtinsAsCommonJs = {
  name: 'builtins-as-commonjs',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, ({ path }) =>
      BUILTINS.has(path) || path.startsWith('node:')
        ? { path: path.replace(/^node:/, ''), namespace: 'node-builtin' }
        : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'node-builtin' }, ({ path }) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${path}`)});`,
      loader: 'js',
    }));
  },
};

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** The hash of a file's bytes (its path relative to `absWorkingDir`, as a metafile names it), undefined when it is gone. */
const fileHash = (absWorkingDir, file) => {
  const path = join(absWorkingDir, file);
  return existsSync(path) ? sha256(readFileSync(path)) : undefined;
};

/**
 * Builds into `options.outdir` through a cache of earlier builds in `cacheDir`: one folder per
 * option set (outdir aside), holding the output and the hash of every file the build read, so an
 * edited source is built again. A source map names its sources relative to the outdir, so builds
 * with one are never cached.
 */
const cachedBuild = async (options, cacheDir) => {
  const { outdir, ...settings } = options;
  if (settings.sourcemap) return build({ ...options, plugins: [builtinsAsCommonJs] });
  const cached = join(cacheDir, sha256(JSON.stringify(settings)));
  const inputsFile = join(cached, 'inputs.json');
  if (existsSync(inputsFile)) {
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    const unchanged = Object.entries(inputs).every(([file, hash]) => fileHash(settings.absWorkingDir, file) === hash);
    if (unchanged) {
      cpSync(join(cached, 'out'), outdir, { recursive: true });
      return;
    }
  }
  const { metafile } = await build({ ...options, metafile: true, plugins: [builtinsAsCommonJs] });
  // Every file esbuild read; built-ins (`node-builtin:fs`) are no files.
  const files = Object.keys(metafile.inputs).filter((input) => !input.includes(':'));
  // Written aside, then renamed into place: test files build in parallel, and the first one wins.
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(cacheDir, 'staging-'));
  cpSync(outdir, join(staging, 'out'), { recursive: true });
  writeFileSync(
    join(staging, 'inputs.json'),
    JSON.stringify(Object.fromEntries(files.map((file) => [file, fileHash(settings.absWorkingDir, file)]))),
  );
  try {
    renameSync(staging, cached);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
};

if (process.argv[1] === import.meta.filename) {
  const cacheDir = process.env.OPENIM_BUNDLE_CACHE_DIR;
  await Promise.all(
    [JSON.parse(readFileSync(0, 'utf8'))]
      .flat()
      .map((options) =>
        cacheDir ? cachedBuild(options, cacheDir) : build({ ...options, plugins: [builtinsAsCommonJs] }),
      ),
  );
}
