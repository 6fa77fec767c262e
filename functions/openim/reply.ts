import { CallbackError, InternalError } from './errors';

/**
 * What OpenIM decodes (Go struct, numeric codes). The HTTP status is never read by OpenIM,
 * so the body alone must say accepted or refused, and the codes must be JSON numbers.
 */
export interface OpenImReply {
  actionCode: number;
  errCode: number;
  errMsg: string;
  errDlt: string;
  nextCode: number;
}

export interface StatusAndReply {
  statusCode: number;
  reply: OpenImReply;
}

export const acceptedReply = (): StatusAndReply => ({
  statusCode: 200,
  reply: { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 },
});

/** Maps any thrown value to a refusal; anything that is not a `CallbackError` is a 500 / 25000. */
export const refusalReply = (error: unknown): StatusAndReply => {
  const refusal = error instanceof CallbackError ? error : new InternalError({ cause: error });
  return {
    statusCode: refusal.statusCode,
    reply: { actionCode: 1, errCode: refusal.errCode, errMsg: refusal.errMsg, errDlt: refusal.errDlt, nextCode: 0 },
  };
};
