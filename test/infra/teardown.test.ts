import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FriendEvents } from '../../infra/construct/friend-events';
import { FriendEventsStack } from '../../infra/construct/stack';
import { synthFromContext } from '../helpers/synth';

/** What `cdk destroy` leaves behind: the data is kept unless a test stack asks otherwise. */
const DATA_TYPES = [
  'AWS::Events::EventBus',
  'AWS::Events::Archive',
  'AWS::SQS::Queue',
  'AWS::Logs::LogGroup',
  'AWS::DynamoDB::Table',
];

const withSubscriber = (dataRemovalPolicy?: RemovalPolicy) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new FriendEventsStack(app, 'TeardownStack', {
    friendEvents: dataRemovalPolicy === undefined ? {} : { dataRemovalPolicy },
    exampleSubscriber: true,
  });
  return Template.fromStack(stack);
};

/** Every resource of the data types with its DeletionPolicy, by logical id. */
const deletionPolicies = (template: Template): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
      .filter(([, resource]) => DATA_TYPES.includes(resource.Type))
      .map(([id, resource]) => [`${resource.Type} ${id}`, resource.DeletionPolicy]),
  );

it('keeps the bus, the archive, every queue, every log group and the graph table by default', () => {
  const policies = deletionPolicies(withSubscriber());
  // Two queues, an archive, a bus, the subscriber's failed-events queue and table, four log groups.
  expect(Object.keys(policies).length).toBeGreaterThanOrEqual(10);
  for (const [resource, policy] of Object.entries(policies)) expect([resource, policy]).toEqual([resource, 'Retain']);
});

it('deletes all of them with dataRemovalPolicy DESTROY (test stacks)', () => {
  const policies = deletionPolicies(withSubscriber(RemovalPolicy.DESTROY));
  for (const [resource, policy] of Object.entries(policies)) expect([resource, policy]).toEqual([resource, 'Delete']);
});

it("keeps the reconciler's table and log groups too, and deletes them with the rest", () => {
  const reconciling = { openImApiUrl: 'http://openim.internal:10002' };
  const kept = deletionPolicies(synthFromContext(reconciling).template);
  expect(Object.keys(kept).filter((resource) => resource.includes('Reconciler')).length).toBeGreaterThanOrEqual(4);
  for (const [resource, policy] of Object.entries(kept)) expect([resource, policy]).toEqual([resource, 'Retain']);
  const deleted = deletionPolicies(synthFromContext({ ...reconciling, dataRemovalPolicy: 'destroy' }).template);
  for (const [resource, policy] of Object.entries(deleted)) expect([resource, policy]).toEqual([resource, 'Delete']);
});

it('reads -c dataRemovalPolicy=retain|destroy and refuses anything else, naming the key', () => {
  const destroyed = synthFromContext({ dataRemovalPolicy: 'destroy' }).template;
  destroyed.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
  const kept = synthFromContext({ dataRemovalPolicy: 'retain' }).template;
  kept.hasResource('AWS::Events::Archive', { DeletionPolicy: 'Retain' });
  expect(() => synthFromContext({ dataRemovalPolicy: 'snapshot' })).toThrow(
    /context dataRemovalPolicy: expected retain or destroy, got "snapshot"/,
  );
});

it('refuses a removal policy that queues and archives do not have (SNAPSHOT)', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new FriendEventsStack(app, 'Ok');
  expect(() => new FriendEvents(stack, 'Snapshot', { dataRemovalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(
    /dataRemovalPolicy: expected RemovalPolicy\.RETAIN or RemovalPolicy\.DESTROY/,
  );
});
