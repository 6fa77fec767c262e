/**
 * Whether an SQS queue policy lets a service principal send to the queue, as EventBridge needs
 * for an SQS target ("Amazon SQS permissions", EventBridge user guide): an `Allow` statement for
 * the principal `events.amazonaws.com` (or `*`), the action `sqs:SendMessage` (or `sqs:*`, `*`),
 * the queue's ARN (or `*`), and conditions on `aws:SourceArn` that hold for the rule's ARN. A
 * matching `Deny` wins. Conditions on other keys, or with other operators, are not modelled: such
 * a statement does not apply here (so an allow is never granted by mistake).
 */
export interface SendRequest {
  principalService: string;
  queueArn: string;
  /** The rule that sends (EventBridge sets `aws:SourceArn` to it). */
  sourceArn: string;
}

type Statement = Record<string, unknown>;

export const policyAllowsSend = (policy: string | undefined, request: SendRequest): boolean => {
  if (!policy) return false;
  let statements: Statement[];
  try {
    const document = JSON.parse(policy) as { Statement?: Statement | Statement[] };
    statements = Array.isArray(document.Statement)
      ? document.Statement
      : document.Statement
        ? [document.Statement]
        : [];
  } catch {
    return false;
  }
  const applying = statements.filter((statement) => applies(statement, request));
  return applying.some((s) => s.Effect === 'Allow') && !applying.some((s) => s.Effect === 'Deny');
};

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];

/** IAM's `*` and `?` wildcards. */
const like = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

const applies = (statement: Statement, request: SendRequest): boolean => {
  const principal = statement.Principal;
  const principalMatches =
    principal === '*' ||
    (typeof principal === 'object' &&
      principal !== null &&
      (list((principal as Record<string, unknown>).Service).includes(request.principalService) ||
        list((principal as Record<string, unknown>).AWS).includes('*')));
  const actionMatches = list(statement.Action).some((action) => like(action.toLowerCase(), 'sqs:sendmessage'));
  const resourceMatches = list(statement.Resource).some((resource) => like(resource, request.queueArn));
  return principalMatches && actionMatches && resourceMatches && conditionsHold(statement.Condition, request);
};

const conditionsHold = (condition: unknown, request: SendRequest): boolean => {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null) return false;
  return Object.entries(condition as Record<string, Record<string, unknown>>).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      if (key.toLowerCase() !== 'aws:sourcearn') return false;
      const values = list(expected);
      if (operator === 'ArnEquals' || operator === 'StringEquals') return values.includes(request.sourceArn);
      if (operator === 'ArnLike' || operator === 'StringLike')
        return values.some((value) => like(value, request.sourceArn));
      return false;
    }),
  );
};
