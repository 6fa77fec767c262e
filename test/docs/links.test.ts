import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every relative link of the README and `docs/` leads somewhere: the file exists, and a `#anchor`
 * names a heading of it (GitHub's slugs). The docs were split into one file per topic, so a link to
 * a section that moved would otherwise fail only for the reader.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name)),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

const withoutCode = (markdown: string) =>
  markdown.replace(/^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?^[ \t]*\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');

const anchorsOf = (path: string) =>
  new Set(
    withoutCode(readFileSync(join(ROOT, path), 'utf8'))
      .split('\n')
      .flatMap((line) => /^#{1,6} (.+)$/.exec(line)?.[1] ?? [])
      .map(slug),
  );

it('every relative link of the README and docs/ names a file that exists, and a heading in it', () => {
  const broken: string[] = [];
  for (const path of DOCS) {
    const text = withoutCode(readFileSync(join(ROOT, path), 'utf8'));
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!target || /^[a-z]+:/.test(target)) continue;
      const [file = '', anchor] = target.split('#');
      const linked = file === '' ? path : normalize(join(dirname(path), file));
      if (!existsSync(join(ROOT, linked))) broken.push(`${path}: ${target} (no ${linked})`);
      else if (anchor !== undefined && linked.endsWith('.md') && !anchorsOf(linked).has(anchor)) {
        broken.push(`${path}: ${target} (no heading #${anchor} in ${linked})`);
      }
    }
  }
  expect(broken).toEqual([]);
});
