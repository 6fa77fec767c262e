import { ENGINE_ERRORS } from '../contract/deployment';
import { OpenImReadError } from './openim-directory';

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
