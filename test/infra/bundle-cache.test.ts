import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bundle cache of `npm test` (OPENIM_BUNDLE_CACHE_DIR): the same options and unchanged sources
 * give the cached output; an edited source is built again. Tiny sources, so each build is quick.
 */
const BUNDLER = fileURLToPath(new URL('../../infra/build/esbuild-bundle.mjs', import.meta.url));
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bundle-cache-'));
  mkdirSync(join(work, 'src'));
  writeFileSync(join(work, 'src', 'entry.ts'), "import { word } from './word';\nexport const handler = () => word;\n");
  writeFileSync(join(work, 'src', 'word.ts'), "export const word: string = 'first';\n");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bundles `src/entry.ts` into `out/<name>` through the cache; returns the bundle's text. */
const bundle = (name: string, options: Record<string, unknown> = {}) => {
  const outdir = join(work, 'out', name);
  execFileSync(process.execPath, [BUNDLER], {
    input: JSON.stringify({
      entryPoints: { index: join(work, 'src', 'entry.ts') },
      absWorkingDir: work,
      bundle: true,
      format: 'esm',
      platform: 'node',
      outExtension: { '.js': '.mjs' },
      logLevel: 'warning',
      ...options,
      outdir,
    }),
    env: { ...process.env, OPENIM_BUNDLE_CACHE_DIR: join(work, 'cache') },
  });
  return readFileSync(join(outdir, 'index.mjs'), 'utf8');
};

/** The one cached output file of the one option set built so far. */
const cachedBundle = () => {
  const entries = readdirSync(join(work, 'cache'));
  expect(entries).toHaveLength(1);
  return join(work, 'cache', String(entries[0]), 'out', 'index.mjs');
};

it('copies a bundle built before with the same options from unchanged sources, and builds again after an edit', () => {
  expect(bundle('a')).toContain('"first"');
  // Marks the cached copy: a bundle that carries the mark was copied, not built.
  writeFileSync(cachedBundle(), `${readFileSync(cachedBundle(), 'utf8')}// from the cache\n`);
  expect(bundle('b')).toContain('// from the cache');

  writeFileSync(join(work, 'src', 'word.ts'), "export const word: string = 'second';\n");
  const rebuilt = bundle('c');
  expect(rebuilt).toContain('"second"');
  expect(rebuilt).not.toContain('// from the cache');
});

it('keeps builds with other options apart, and never caches one with a source map (its paths depend on the outdir)', () => {
  const plain = bundle('plain');
  expect(bundle('minified', { minify: true })).not.toBe(plain);
  expect(readdirSync(join(work, 'cache'))).toHaveLength(2);
  bundle('mapped', { sourcemap: true });
  expect(readdirSync(join(work, 'cache'))).toHaveLength(2);
});
