import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRY_POINTS } from '../../../functions/contract/deployment';
import { buildPackages, bundlePrebuiltFunctions } from '../../../infra/build/build-packages';
import { claimPackTarget, PACK_MARKER, PackTargetError } from '../../../infra/build/pack-target';
import { functionEntry } from '../../../infra/construct/bundled-function';

/** `npm run pack -- --out DIR` with DIR outside the repository, as a user may pass it. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'openim-friend-events-pack-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const write = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

describe('the pack target', () => {
  it.each([
    [
      'a file of its own beside where the packages would go',
      'notes.txt',
      /holds notes\.txt, which npm run pack did not write/,
    ],
    [
      'a contract/ it did not write (no marker)',
      'contract/my-subscriber.ts',
      /has contract but no \.openim-friend-events-pack/,
    ],
    ['a cdk/ it did not write (no marker)', 'cdk/app.ts', /has cdk but no \.openim-friend-events-pack/],
  ])('refuses a directory with %s, deleting nothing', (_label, file, message) => {
    write(join(work, file), 'mine');
    expect(() => buildPackages(work)).toThrow(PackTargetError);
    expect(() => buildPackages(work)).toThrow(message);
    expect(readFileSync(join(work, file), 'utf8')).toBe('mine');
    expect(existsSync(join(work, PACK_MARKER))).toBe(false);
  });

  it('refuses a file given as the directory', () => {
    write(join(work, 'file'), 'mine');
    expect(() => claimPackTarget(join(work, 'file'))).toThrow(/is a file, not a directory/);
  });

  it('takes a new directory, an empty one, and its own earlier output, and marks each as its own', () => {
    const earlier = join(work, 'earlier');
    write(join(earlier, PACK_MARKER), 'x');
    write(join(earlier, 'cdk/package.json'), '{}');
    mkdirSync(join(work, 'empty'));
    for (const dir of [join(work, 'new/nested'), join(work, 'empty'), earlier]) {
      claimPackTarget(dir);
      expect(readdirSync(dir)).toContain(PACK_MARKER);
    }
  });
});

it("names a prebuilt function's sources from the function's root, never by the build machine's path, when built outside the repository", () => {
  const outdir = join(work, 'cdk/prebuilt-functions/retry-drainer');
  bundlePrebuiltFunctions([{ outdir, entry: functionEntry(ENTRY_POINTS.retryDrainer), tracing: false }]);
  const maps = readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.map'));
  expect(maps).toContain('index.mjs.map');
  for (const file of maps) {
    const text = readFileSync(join(outdir, file), 'utf8');
    expect(text).not.toContain(ROOT.replace(/\/$/, ''));
    const { sources } = JSON.parse(text) as { sources: string[] };
    for (const source of sources.filter((name) => !name.startsWith('node-builtin:'))) {
      // Within the function's own directory, as the package's Lambda root would hold it.
      expect(resolve(dirname(join(outdir, file)), source).startsWith(`${outdir}/`)).toBe(true);
    }
  }
  const { sources } = JSON.parse(readFileSync(join(outdir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
  expect(sources).toContain('functions/retry/drain.ts');
}, 60_000);
