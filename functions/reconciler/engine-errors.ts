import { OpenImReadError } from './openim-directory';

/**
 * The error names the reconciler's functions fail with, as the state machine's Retry and Catch
 * match them (`infra/reconciler-definition.ts` imports these, so the two cannot drift apart).
 */
export const ENGINE_ERRORS = {
  /** OpenIM did not answer, or answered that trying later may help: retried with backoff. */
  openImUnavailable: 'OpenImUnavailable',
  /** OpenIM refused for good (wrong secret, not an admin, bad request): the sweep fails. */
  openImRefused: 'OpenImRefused',
  /** The admin secret was never filled in: the sweep fails with how to set it. */
  adminSecretNotSet: 'AdminSecretNotSet',
} as const;

class EngineError extends Error {
  constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

/** An OpenIM read error as the engine should see it: retried when OpenIM may answer later. */
export const forEngine = (error: unknown): unknown => {
  if (!(error instanceof OpenImReadError)) return error;
  const name = error.details.retryable ? ENGINE_ERRORS.openImUnavailable : ENGINE_ERRORS.openImRefused;
  return new EngineError(name, error.message, { cause: error });
};
