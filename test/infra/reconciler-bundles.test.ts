import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FriendEventsStack } from '../../infra/construct/stack';
import { withoutBundlingNotices } from '../helpers/synth';

const cdkContext = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

type Json = Record<string, unknown>;

describe('the reconciler bundles', () => {
  it('are one per function, though the three entries share a folder', () => {
    const app = new App({ context: { ...cdkContext } });
    const stack = withoutBundlingNotices(
      () => new FriendEventsStack(app, 'Bundled', { reconciler: { openImApiUrl: 'http://openim:10002' } }),
    );
    const keys = Object.entries(
      Template.fromStack(stack).findResources('AWS::Lambda::Function') as Record<string, Json>,
    )
      .filter(([id]) => id.startsWith('Reconciler'))
      .map(([, fn]) => JSON.stringify((fn.Properties as Json).Code));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
  }, 60_000);
});
