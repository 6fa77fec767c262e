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
    "Rotating the token means changing the URL in OpenIM's config too, so rotation is a documented manual step (the function accepts the previous token meanwhile), not a scheduled Lambda.",
  'AwsSolutions-SQS3':
    "A dead-letter queue itself (the retry queue's final one, or the reference subscriber's failed events): what lands here raises an alarm and is sent again on purpose (npm run redrive, or put-events); a queue behind it would only hide those events.",
  'AwsSolutions-SNS2':
    'Alarm notifications carry no sensitive data, and CloudWatch cannot publish to a topic encrypted with the AWS managed key.',
  'AwsSolutions-IAM5[Resource::*]':
    'Only with tracing on: X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
} as const;

export type AcceptedFinding = keyof typeof REASONS;

/** Acknowledges these findings on `scope` (and below it), each with its written reason. */
export const acknowledgeFindings = (scope: IConstruct, ...ids: AcceptedFinding[]): void => {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason: REASONS[id] });
};
