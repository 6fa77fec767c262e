import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/** The Lambda context plus when this invocation started (`performance.now()`), set by `invocationStart`. */
export type InvocationContext = Context & { startedAt?: number };

export const startOf = (context: InvocationContext): number => context.startedAt ?? performance.now();

/**
 * Stamps the start of each invocation on its own context (not in module state: the local
 * server runs many requests through one handler at once). The reply budget counts from here.
 */
export const invocationStart = (): MiddlewareObj<unknown, unknown, Error, InvocationContext> => ({
  before: (request) => {
    request.context.startedAt = performance.now();
  },
});
