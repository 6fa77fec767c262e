import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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
 * What was synthesized in this test file, by its settings: a test file asks for the same stack
 * many times (each synth costs about a second), and every test reads it, none changes it. Settings
 * that are not plain data (a construct, say) are not remembered.
 */
const synthesized = new Map<string, Synthesized>();
type Synthesized = { app: App; stack: FriendEventsStack; template: Template };

/** `build()` once per `settings` in this test file when the settings are plain data; `build()` each time otherwise. */
const once = (settings: unknown, build: () => Synthesized): Synthesized => {
  const key = plainDataKey(settings);
  if (key === undefined) return build();
  const known = synthesized.get(key);
  if (known) return known;
  const made = build();
  synthesized.set(key, made);
  return made;
};

/** A key for JSON-like data (objects, arrays, strings, numbers, booleans, null, undefined); undefined for anything else. */
const plainDataKey = (value: unknown): string | undefined => {
  const isPlain = (item: unknown): boolean =>
    item === null ||
    ['string', 'number', 'boolean', 'undefined'].includes(typeof item) ||
    (Array.isArray(item) && item.every(isPlain)) ||
    (typeof item === 'object' &&
      Object.getPrototypeOf(item) === Object.prototype &&
      Object.values(item as object).every(isPlain));
  return isPlain(value) ? JSON.stringify(value) : undefined;
};

/**
 * Runs `build` with the CDK's built-in CloudFormation validation on, as `cdk synth` runs it (the
 * tests' setup turns it off for their own synths, test/setup-env.ts).
 */
const withCloudFormationValidation = <T>(build: () => T): T => {
  const setting = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    return build();
  } finally {
    if (setting === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = setting;
  }
};

/**
 * Synthesizes the product stack as `cdk synth` does. Bundling (esbuild, ~0.5 s) is skipped unless
 * a test looks at the asset, and the CDK's CloudFormation validation unless it asks for it. Without
 * an outdir, bundling or validation, the same settings give the same (shared) stack within a test file.
 */
export const synthStack = (
  props: FriendEventsProps = {},
  options: {
    bundle?: boolean;
    outdir?: string;
    exampleSubscriber?: boolean;
    reconciler?: ReconcilerContext;
    cloudFormationValidation?: boolean;
  } = {},
) => {
  const build = () => {
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
  if (options.cloudFormationValidation) return withCloudFormationValidation(build);
  return options.bundle || options.outdir ? build() : once(['synthStack', props, options], build);
};

/**
 * Synthesizes the stack as `infra/app.ts` does, its settings read from this CDK context (`-c key=value`).
 * The same context gives the same (shared) stack within a test file.
 */
export const synthFromContext = (context: Record<string, unknown>) =>
  once(['synthFromContext', context], () => {
    const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });
    const stack = new FriendEventsStack(app, 'TestStack', {
      friendEvents: friendEventsPropsFromContext(app),
      reconciler: reconcilerContextFrom(app),
    });
    return { app, stack, template: Template.fromStack(stack) };
  });
