import { readFileSync } from 'node:fs';

/**
 * The AWS SDK publishes a client only when it changes, so the clients' own version numbers differ
 * (each is pinned to its newest). What must be one is what they share: a second copy of the SDK's
 * core in the lock would be a second copy in every bundle, and clients that disagree at run time.
 */
const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

const copiesOf = (pattern: RegExp): Record<string, string[]> => {
  const copies: Record<string, string[]> = {};
  for (const [path, { version }] of Object.entries(lock.packages)) {
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (path.includes('node_modules/') && pattern.test(name))
      copies[name] = [...(copies[name] ?? []), `${path}@${version}`];
  }
  return copies;
};

it('the AWS SDK clients share one copy of each @aws-sdk package and of @smithy/core', () => {
  const copies = copiesOf(/^(@aws-sdk\/|@smithy\/core$)/);
  expect(Object.keys(copies)).toEqual(expect.arrayContaining(['@aws-sdk/core', '@smithy/core']));
  expect(Object.entries(copies).filter(([, paths]) => paths.length > 1)).toEqual([]);
});

it('the Powertools packages and the middy packages are each on one version', () => {
  for (const family of [/^@aws-lambda-powertools\//, /^@middy\//]) {
    const versions = new Set(
      Object.values(copiesOf(family)).flatMap((paths) => paths.map((path) => path.split('@').at(-1))),
    );
    expect(versions.size).toBe(1);
  }
});
