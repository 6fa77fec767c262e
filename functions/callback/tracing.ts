import type { MiddlewareObj } from '@middy/core';
import { SERVICE_NAME } from '../contract/metrics';

/**
 * Optional AWS X-Ray tracing through Powertools Tracer (the handler and, through its patching
 * of https, every AWS call). The stack decides at build time: the bundler replaces
 * `process.env.OPENIM_TRACING`, and with tracing off this branch and the tracer's code vanish
 * from the bundle, because the tracer costs cold-start time (see the README, Performance).
 */
export const loadTracing = async (): Promise<MiddlewareObj | undefined> => {
  // Written as `if (constant) { ... }` so that esbuild drops the whole block, imports included.
  if (process.env.OPENIM_TRACING === 'true') {
    const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
      import('@aws-lambda-powertools/tracer'),
      import('@aws-lambda-powertools/tracer/middleware'),
    ]);
    return captureLambdaHandler(new Tracer({ serviceName: SERVICE_NAME }));
  }
  return undefined;
};
