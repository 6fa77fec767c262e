import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { allEventJsonSchemas, snapshotEventJsonSchemas } from '../../functions/contract/event-schema';

/**
 * An EventBridge schema registry with one schema per detail-type, the snapshots' included (named
 * `<source>@<DetailType>`, like discovered schemas), so subscribers can download code bindings
 * from the console.
 */
export class FriendEventSchemas extends Construct {
  readonly registry: eventschemas.CfnRegistry;
  readonly schemas: eventschemas.CfnSchema[];

  constructor(scope: Construct, id: string, props: { source: string; registryName: string }) {
    super(scope, id);
    this.registry = new eventschemas.CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: 'OpenIM friend events (openim-friend-events)',
    });
    this.schemas = [...allEventJsonSchemas(props.source), ...snapshotEventJsonSchemas(props.source)].map(
      ({ detailType, schema }) =>
        new eventschemas.CfnSchema(this, detailType, {
          registryName: this.registry.attrRegistryName,
          schemaName: `${props.source}@${detailType}`,
          type: 'JSONSchemaDraft4',
          description: schema.description,
          content: JSON.stringify(schema),
        }),
    );
  }
}
