import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { FriendEventsProps } from '../../infra/construct/friend-events-props';
import type { ReconcilerContext } from '../../infra/construct/reconciler-settings';
import { FriendEventsStack } from '../../infra/construct/stack';
import { friendEventsPropsFromContext, reconcilerContextFrom } from '../../infra/construct/stack-context';

/** cdk.json's context (feature flags): a test App does not read cdk.json by itself. */
const cdkContext = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * Runs `build` without the "Bundling asset ..." line the CDK writes to stderr while it bundles an
 * asset (at construction time); esbuild's own output is limited to warnings by the construct.
 */
export const withoutBundlingNotices = <T>(build: () => T): T => {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    String(chunk).startsWith('Bundling asset ') ? true : write.call(process.stderr, chunk, ...rest)) as typeof write;
  try {
    return build();
  } finally {
    process.stderr.write = write;
  }
};

/**
 * Synthesizes the product stack as `cdk synth` does. Bundling (esbuild, ~0.5 s) is skipped unless
 * a test looks at the asset.
 */
export const synthStack = (
  props: FriendEventsProps = {},
  options: { bundle?: boolean; outdir?: string; exampleSubscriber?: boolean; reconciler?: ReconcilerContext } = {},
) => {
  const app = new App({
    context: { ...cdkContext, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stack = withoutBundlingNotices(
    () =>
      new FriendEventsStack(app, 'TestStack', {
        friendEvents: props,
        exampleSubscriber: options.exampleSubscriber,
        reconciler: options.reconciler,
      }),
  );
  return { app, stack, template: Template.fromStack(stack) };
};

/** Synthesizes the stack as `infra/app.ts` does, its settings read from this CDK context (`-c key=value`). */
export const synthFromContext = (context: Record<string, unknown>) => {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new FriendEventsStack(app, 'TestStack', {
    friendEvents: friendEventsPropsFromContext(app),
    reconciler: reconcilerContextFrom(app),
  });
  return { app, stack, template: Template.fromStack(stack) };
};

/** cdk-nag AwsSolutions findings that are not acknowledged (what fails `cdk synth`). */
export const nagFindings = (stack: FriendEventsStack) => {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.map(
    (violation) =>
      `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`,
  );
};
