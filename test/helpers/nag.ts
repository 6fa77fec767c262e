import type { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * cdk-nag AwsSolutions findings that are not acknowledged (what fails `cdk synth`). A helper of its
 * own, apart from test/helpers/synth.ts: only the files that look for findings load cdk-nag.
 */
export const nagFindings = (stack: Stack) => {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.map(
    (violation) =>
      `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`,
  );
};
