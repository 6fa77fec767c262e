import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { acknowledgeFindings, acknowledgeSituated } from './nag-acknowledgements';

/** esbuild with this repository's plugin (`builtinsAsCommonJs`), run as a child process. */
const BUNDLER = fileURLToPath(new URL('../build/esbuild-bundle.mjs', import.meta.url));
/** Paths in a bundle are relative to here, so the same sources give the same bytes from any directory. */
const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A handler file of this repository, by its path under `functions/`. */
export const functionEntry = (path: string): string =>
  fileURLToPath(new URL(`../../functions/${path}`, import.meta.url));

/**
 * The runtime of every function of this repository unless a construct is told otherwise: the
 * Node.js the tests and the benchmark run on (`infra/build/node24.mjs`, `config.nodeVersion`).
 */
export const DEFAULT_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Where the published construct package (`npm run pack`) keeps its functions, bundled in advance
 * by `bundleInto`, one folder per handler and variant: an app that installs the package needs
 * neither esbuild nor the functions' sources. This repository has no such folder.
 */
const PREBUILT_DIR = fileURLToPath(new URL('../prebuilt-functions/', import.meta.url));

/** A handler's prebuilt folder: its file name under `functions/handlers/`, plus `-tracing`. */
export const prebuiltName = (props: Pick<BundledFunctionProps, 'entry' | 'tracing'>): string =>
  `${basename(props.entry, '.ts')}${props.tracing ? '-tracing' : ''}`;

export interface BundledFunctionProps {
  entry: string;
  description: string;
  environment: Record<string, string>;
  /** @default DEFAULT_RUNTIME (Node.js 24) */
  runtime?: lambda.Runtime;
  memorySize: number;
  timeout: Duration;
  logRetention: logs.RetentionDays;
  /** What `cdk destroy` does with the log group. */
  removalPolicy: RemovalPolicy;
  /** X-Ray active tracing; also compiled into the bundle as `process.env.OPENIM_TRACING`. */
  tracing?: boolean;
  /**
   * Ship a source map and run with `--enable-source-maps`, so stack traces point at the
   * TypeScript. Off by default: shipped bytes, and each stack trace that uses the map pays for
   * parsing it (Node 24 reads it only then: the cold import is unchanged, docs/performance.md).
   */
  sourceMaps?: boolean;
  /** Reserved concurrency of the function. @default none (the account's unreserved pool) */
  reservedConcurrency?: number;
  /** Runs the function in these subnets (to reach a service that is not public). @default no VPC */
  network?: { vpc: ec2.IVpc; vpcSubnets: ec2.SubnetSelection; securityGroups: ec2.ISecurityGroup[] };
}

/**
 * The function's code: an ESM bundle built at synth by the local esbuild (never Docker), minified,
 * AWS SDK bundled (not the runtime's copy: a pinned, tested version), Node built-ins read as
 * CommonJS (`esbuild-bundle.mjs`: cheaper at cold start). Code splitting puts what is
 * only `import()`ed (the SQS client of the failure path) in chunks of its own, which Node reads
 * only when first used, so a cold start does not parse them. (NodejsFunction cannot split: it
 * writes one file.) The asset hash is the output's, so any change that reaches the bundle deploys.
 */
export const bundledCode = (
  props: Pick<BundledFunctionProps, 'entry' | 'runtime' | 'tracing' | 'sourceMaps'>,
): lambda.Code => {
  const prebuilt = `${PREBUILT_DIR}${prebuiltName(props)}`;
  if (existsSync(prebuilt)) return lambda.Code.fromAsset(prebuilt);
  return lambda.Code.fromAsset(dirname(props.entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('unused-local-esbuild-only'),
      // Never run (the local esbuild always bundles), but part of the key the CDK caches a bundle
      // by, with the folder: without the entry's name, two handlers of one folder (the
      // reconciler's) would share the first one's bundle.
      command: ['esbuild', basename(props.entry)],
      local: {
        tryBundle: (outputDir) => {
          bundleInto([{ outdir: outputDir, props }]);
          return true;
        },
      },
    },
  });
};

/**
 * Bundles each function into its `outdir` with `bundleOptions` and the repository's esbuild
 * plugin, all in one child process.
 */
export const bundleInto = (
  builds: { outdir: string; props: Pick<BundledFunctionProps, 'entry' | 'runtime' | 'tracing' | 'sourceMaps'> }[],
): void => {
  execFileSync(process.execPath, [BUNDLER], {
    input: JSON.stringify(builds.map(({ outdir, props }) => ({ ...bundleOptions(props), outdir }))),
    stdio: ['pipe', 'inherit', 'inherit'],
  });
};

/**
 * esbuild's settings for a function of this repository (the benchmark builds with them too), to
 * be used with the `builtinsAsCommonJs` plugin of `esbuild-bundle.mjs`.
 */
export const bundleOptions = (
  props: Pick<BundledFunctionProps, 'entry' | 'runtime' | 'tracing' | 'sourceMaps'>,
): BuildOptions => ({
  entryPoints: { index: props.entry },
  absWorkingDir: REPOSITORY_ROOT,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: esbuildTarget(props.runtime ?? DEFAULT_RUNTIME),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  // Mappings only: stack traces need no source text, and the smaller map parses faster.
  sourcemap: props.sourceMaps ?? false,
  sourcesContent: false,
  // Without `module` first, esbuild picks the SDK's CommonJS builds, which then fail in an
  // ESM bundle with "Dynamic require of node:https is not supported" (and weigh more).
  mainFields: ['module', 'main'],
  // Decided at build time, so code behind a disabled option is not even in the bundle.
  define: { 'process.env.OPENIM_TRACING': JSON.stringify(props.tracing ? 'true' : 'false') },
  // Warnings and errors only: the per-file size table is noise in every synth.
  logLevel: 'warning',
});

/** esbuild's target for a Lambda Node.js runtime: `nodejs24.x` is `node24`. */
export const esbuildTarget = (runtime: lambda.Runtime): string => {
  const major = /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1];
  if (!major) throw new Error(`runtime: expected a Lambda Node.js runtime such as nodejs24.x, got ${runtime.name}`);
  return `node${major}`;
};

/**
 * A Lambda of this repository: Node.js on arm64, its code bundled by `bundledCode`, source maps
 * on request, its own log group and a role that can write only to that log group.
 */
export class BundledFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new lambda.Function(this, 'Function', {
      code: bundledCode(props),
      description: props.description,
      handler: 'index.handler',
      runtime: props.runtime ?? DEFAULT_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      ...props.network,
      environment: {
        ...(props.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...props.environment,
      },
    });
    if (props.network) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      acknowledgeSituated(this.role, 'lambdaNetworkInterfaces');
    }
    if (props.tracing) acknowledgeFindings(this.role, 'AwsSolutions-IAM5[Resource::*]');
  }
}
