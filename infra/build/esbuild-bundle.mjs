// esbuild with the plugin every function bundle of this repository is built with. Plain JavaScript,
// because `BundledFunction` runs it as a child process: CDK bundles synchronously, and esbuild runs
// plugins only in its asynchronous API. usage: node infra/build/esbuild-bundle.mjs < <esbuild options as JSON>
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
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

if (process.argv[1] === import.meta.filename) {
  await build({ ...JSON.parse(readFileSync(0, 'utf8')), plugins: [builtinsAsCommonJs] });
}
