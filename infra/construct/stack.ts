import { Annotations, CfnOutput, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { FriendEvents } from './friend-events';
import type { FriendEventsProps } from './friend-events-props';
import { FriendGraphSubscriber } from './friend-graph-subscriber';
import { Reconciler } from './reconciler';
import type { ReconcilerContext } from './reconciler-settings';

export interface FriendEventsStackProps extends StackProps {
  readonly friendEvents?: FriendEventsProps;
  /** Deploys the reference subscriber: a friend graph in DynamoDB, kept from every friend event. */
  readonly exampleSubscriber?: boolean;
  /** Alarms notify this existing SNS topic (`-c alarmTopic=<arn>`). */
  readonly alarmTopicArn?: string;
  /** Reconciliation with OpenIM (`-c openImApiUrl=...`); deploys the reference subscriber too, which it compares with. */
  readonly reconciler?: ReconcilerContext;
}

/**
 * The deployable product: one `FriendEvents` construct (which gives the stack the outputs a user
 * and the `--stack` commands need), the reference subscriber and the reconciler on request.
 */
export class FriendEventsStack extends Stack {
  readonly friendEvents: FriendEvents;
  readonly friendGraph: FriendGraphSubscriber | undefined;
  readonly reconciler: Reconciler | undefined;

  constructor(scope: Construct, id: string, props: FriendEventsStackProps = {}) {
    super(scope, id, props);
    const alarmTopic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : props.friendEvents?.alarmTopic;
    this.friendEvents = new FriendEvents(this, 'FriendEvents', {
      ...props.friendEvents,
      ...(alarmTopic ? { alarmTopic } : {}),
    });
    if (props.exampleSubscriber || props.reconciler) {
      this.friendGraph = new FriendGraphSubscriber(this, 'FriendGraph', { friendEvents: this.friendEvents });
    }
    if (props.reconciler && this.friendGraph) {
      this.reconciler = this.createReconciler(props.reconciler, this.friendGraph);
      new CfnOutput(this, 'ReconcilerStateMachineArn', {
        description: 'The reconciliation sweep: npm run reconcile -- --stack <name> starts one',
        value: this.reconciler.stateMachine.stateMachineArn,
      });
      new CfnOutput(this, 'ReconcilerTableName', { value: this.reconciler.table.tableName });
      new CfnOutput(this, 'ReconcilerAdminSecretArn', {
        description: "The secret holding OpenIM's admin secret (share.yml secret): put it there",
        value: this.reconciler.adminSecret.secretArn,
      });
    }
  }

  /** The reconciler from plain settings (`-c`): an existing secret and network imported by their IDs. */
  private createReconciler(context: ReconcilerContext, graph: FriendGraphSubscriber): Reconciler {
    // Only the subnet IDs reach the functions' VpcConfig: no zones or route tables are needed.
    const vpc = context.vpcId
      ? ec2.Vpc.fromVpcAttributes(this, 'OpenImVpc', { vpcId: context.vpcId, availabilityZones: Fn.getAzs() })
      : undefined;
    if (vpc) {
      Annotations.of(vpc).acknowledgeWarning(
        '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
        'The VPC only holds the security group; the functions are placed by the given subnet IDs.',
      );
    }
    const subnet = (id: string) => {
      const imported = ec2.Subnet.fromSubnetId(this, `Subnet-${id}`, id);
      Annotations.of(imported).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'The subnet only places the reconciler functions; nothing reads its route table.',
      );
      return imported;
    };
    return new Reconciler(this, 'Reconciler', {
      friendEvents: this.friendEvents,
      graphTable: graph.table,
      openImApiUrl: context.openImApiUrl,
      openImAdminUserID: context.openImAdminUserID,
      schedule: context.schedule,
      callsPerSecond: context.callsPerSecond,
      eventsPerSecond: context.eventsPerSecond,
      concurrency: context.concurrency,
      driftAlarmThreshold: context.driftAlarmThreshold,
      ...(context.maxHours === undefined ? {} : { maxDuration: Duration.hours(context.maxHours) }),
      ...(context.adminSecretArn
        ? {
            adminSecret: secretsmanager.Secret.fromSecretCompleteArn(this, 'OpenImAdminSecret', context.adminSecretArn),
          }
        : {}),
      ...(vpc
        ? {
            vpc: {
              vpc,
              subnets: (context.subnetIds ?? []).map(subnet),
              ...(context.securityGroupIds
                ? {
                    securityGroups: context.securityGroupIds.map((id) =>
                      ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup-${id}`, id),
                    ),
                  }
                : {}),
            },
          }
        : {}),
    });
  }
}
