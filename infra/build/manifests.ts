import { readFileSync } from 'node:fs';
import { EVENT_SCHEMA_VERSION } from '../../functions/contract/events';

/**
 * The two published packages' manifests. Versions follow the contract's rules: the contract
 * package's major version is the events' `schemaVersion` (a breaking change would be 2.0.0), and
 * its minor version grows with every additive change (a detail-type or a field); the CDK package
 * carries this repository's version.
 */
export const CONTRACT_PACKAGE_NAME = '@openim-friend-events/contract';
export const CDK_PACKAGE_NAME = '@openim-friend-events/cdk';

/**
 * Additive contract changes since `schemaVersion` 1 was published (the pinned fields of
 * `test/fixtures/contract-v1.json`): one minor version each. Add a line with every new field or
 * detail-type.
 */
export const ADDITIVE_CONTRACT_CHANGES = [
  'FriendshipReconciled and BlacklistReconciled: the reconciler repairs (issue 16)',
  'alteredFields: which fields hold a safe form of what OpenIM sent (issue 18)',
  'synthetic: test traffic from npm run send (issue 19)',
  'FriendListSnapshot and FriendSnapshotCompleted, addressed to one subscriber, and snapshotsFor (issue 23)',
] as const;
const CONTRACT_MINOR = ADDITIVE_CONTRACT_CHANGES.length;

const root = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  license: string;
  dependencies: Record<string, string>;
};

export const contractVersion = `${EVENT_SCHEMA_VERSION}.${CONTRACT_MINOR}.0`;

const common = { license: root.license, type: 'module', sideEffects: false } as const;

export const contractManifest = () => ({
  name: CONTRACT_PACKAGE_NAME,
  version: contractVersion,
  description: 'Event contract of openim-friend-events: types, type guards, JSON Schemas and rule patterns',
  ...common,
  exports: {
    '.': { types: './types/index.d.ts', default: './dist/index.js' },
    './schemas/*': './schemas/*',
  },
  types: './types/index.d.ts',
  files: ['dist', 'types', 'schemas'],
});

/** The versions this repository builds and tests against are the lowest the package accepts. */
const atLeast = (name: string): string => `^${root.dependencies[name]}`;

export const cdkManifest = () => ({
  name: CDK_PACKAGE_NAME,
  version: root.version,
  description: 'The openim-friend-events CDK construct: OpenIM friend webhooks to an EventBridge bus',
  ...common,
  exports: { '.': { types: './types/infra/construct/index.d.ts', default: './dist/index.js' } },
  types: './types/infra/construct/index.d.ts',
  files: ['dist', 'types', 'prebuilt-functions'],
  peerDependencies: { 'aws-cdk-lib': atLeast('aws-cdk-lib'), constructs: atLeast('constructs') },
});
