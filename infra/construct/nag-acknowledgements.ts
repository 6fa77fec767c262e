import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions) findings this design accepts, each with its reason. Everything else
 * must pass: `npm run synth` and the infra tests fail on any other finding.
 */
const REASONS = {
  'AwsSolutions-APIG4':
    'OpenIM cannot sign requests or add headers, so no IAM, Cognito or Lambda authorizer can work; the secret path token, checked in constant time by the function, is the authorizer.',
  'AwsSolutions-SMG4':
    "Both secrets belong to OpenIM's config: rotating the callback token means changing the URL in OpenIM's webhooks config (the function accepts the previous token meanwhile), and the reconciler's admin secret is share.yml's own secret. Rotation is a documented manual step on both sides, not a scheduled Lambda.",
  'AwsSolutions-SQS3':
    "A dead-letter queue itself (the retry queue's final one, or the reference subscriber's failed events): what lands here raises an alarm and is sent again on purpose (npm run redrive, or put-events); a queue behind it would only hide those events.",
  'AwsSolutions-SNS2':
    'Alarm notifications carry no sensitive data, and CloudWatch cannot publish to a topic encrypted with the AWS managed key.',
  'AwsSolutions-IAM5[Resource::*]':
    'Only with tracing on: X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
  'AwsSolutions-SF2':
    "The sweep's execution history, its log group (every event), its record in DynamoDB and the functions' logs and metrics already show each step; X-Ray traces of a run of several hours would add cost and nothing to act on.",
} as const;

export type AcceptedFinding = keyof typeof REASONS;

/** Acknowledges these findings on `scope` (and below it), each with its written reason. */
export const acknowledgeFindings = (scope: IConstruct, ...ids: AcceptedFinding[]): void => {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason: REASONS[id] });
};

/**
 * Findings whose reason depends on where they occur (one rule ID can be right for one resource
 * and wrong for another): acknowledged on that resource only, by name.
 */
const SITUATED_REASONS = {
  stateMachineLogDelivery: {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "Step Functions' delivery of execution logs to CloudWatch Logs (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) supports no resource-level permissions; these are the only actions granted on *.",
  },
  lambdaNetworkInterfaces: {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "A function in a VPC needs Lambda's network interface actions, which AWS grants on * in its own AWSLambdaVPCAccessExecutionRole (EC2's Describe actions support no resource-level permissions); written inline so the role has nothing else.",
  },
  tokenSecretRotation: {
    id: 'AwsSolutions-SMG4',
    reason:
      "The reconciler's admin token secret is rewritten by the reconciler at every OpenIM login (tokens last at most OpenIM's expiry, 90 days by default); a rotation Lambda would only log in once more.",
  },
} as const;

export const acknowledgeSituated = (scope: IConstruct, name: keyof typeof SITUATED_REASONS): void => {
  Validations.of(scope).acknowledge(SITUATED_REASONS[name]);
};

/**
 * A Distributed Map follows child executions whose names Step Functions makes up: its role may
 * describe and stop the executions of its own state machine, `<name>/*`, and nothing else.
 */
export const acknowledgeDistributedMapChildren = (scope: IConstruct, stateMachineLogicalId: string): void => {
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${stateMachineLogicalId}.Name>/*]`,
    reason:
      "A Distributed Map starts child executions with names Step Functions makes up; its role may describe and stop only its own state machine's executions (AWS's documented policy for Distributed Map).",
  });
};
