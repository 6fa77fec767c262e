import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';

/** What a rule owner needs to manage its own rules (and their targets) on another account's bus. */
const RULE_ACTIONS = [
  'events:PutRule',
  'events:PutTargets',
  'events:DeleteRule',
  'events:RemoveTargets',
  'events:DisableRule',
  'events:EnableRule',
  'events:DescribeRule',
  'events:ListTargetsByRule',
  'events:TagResource',
  'events:UntagResource',
  'events:ListTagsForResource',
];

export interface SubscriberAccess {
  /** AWS account IDs that may create rules on the bus. */
  accounts?: string[];
  /** An AWS Organizations ID whose accounts may create rules on the bus. */
  organizationId?: string;
}

/**
 * Lets other accounts subscribe with rules of their own on this bus (the documented
 * cross-account pattern): each may manage only the rules it created (`events:creatorAccount`).
 */
export const allowSubscribers = (bus: events.IEventBus, access: SubscriberAccess): void => {
  const accounts = access.accounts ?? [];
  if (accounts.length === 0 && !access.organizationId) return;
  if (!(bus instanceof events.EventBus)) {
    throw new Error('subscriber access needs a bus created by this construct (a bus passed in has its own policy)');
  }
  const ruleArns = `arn:${bus.stack.partition}:events:${bus.stack.region}:${bus.stack.account}:rule/${bus.eventBusName}/*`;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM
  const creatorIsCaller = { StringEqualsIfExists: { 'events:creatorAccount': '${aws:PrincipalAccount}' } };
  if (accounts.length > 0) {
    bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SubscriberAccountsManageTheirRules',
        principals: accounts.map((account) => new iam.AccountPrincipal(account)),
        actions: RULE_ACTIONS,
        resources: [ruleArns],
        conditions: creatorIsCaller,
      }),
    );
  }
  if (access.organizationId) {
    bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SubscriberOrganizationManagesItsRules',
        principals: [new iam.AnyPrincipal()],
        actions: RULE_ACTIONS,
        resources: [ruleArns],
        conditions: { ...creatorIsCaller, StringEquals: { 'aws:PrincipalOrgID': access.organizationId } },
      }),
    );
  }
};
