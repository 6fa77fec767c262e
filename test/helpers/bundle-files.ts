import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** Static `import ... from "./x.mjs"` in minified esbuild output; `import("./x.mjs")` is not one. */
const STATIC_IMPORT = /(?:^|[;}\s])import\s*(?:[^"'()]*?from\s*)?["'](\.[^"']+)["']/g;

/**
 * The files Node reads to import a split bundle's `index.mjs`: the entry and every chunk it
 * imports statically, transitively. Chunks behind `import()` are read only when first used.
 */
export const coldLoadedFiles = (bundleDir: string): string[] => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (specifier) visit(normalize(join(dirname(file), specifier)));
    }
  };
  visit(join(bundleDir, 'index.mjs'));
  return [...seen];
};

const sizeOf = (files: string[]): number => files.reduce((sum, file) => sum + statSync(file).size, 0);

/** Bytes read at cold start, and bytes shipped in all. */
export const bundleBytes = (bundleDir: string) => ({
  coldLoaded: sizeOf(coldLoadedFiles(bundleDir)),
  shipped: sizeOf(allFiles(bundleDir)),
});

export const allFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? allFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
