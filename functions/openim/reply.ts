/**
 * Every way a callback can be refused, each carrying its HTTP status and OpenIM errCode
 * (the table in the README), and the one mapping of any error to the reply OpenIM reads.
 *
 * `errDlt` is sent back to the caller: it names the field and what was expected, never a
 * secret, a stack trace or an AWS error text.
 */
export class CallbackError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errCode: number,
    readonly errMsg: string,
    readonly errDlt: string,
    options?: ErrorOptions,
  ) {
    super(`${errMsg}: ${errDlt}`, options);
    this.name = new.target.name;
  }
}

export class MalformedBodyError extends CallbackError {
  constructor(errDlt: string, options?: ErrorOptions) {
    super(400, 20001, 'body is not a JSON object', errDlt, options);
  }
}

export class InvalidFieldError extends CallbackError {
  constructor(errDlt: string, options?: ErrorOptions) {
    super(400, 20002, 'invalid field', errDlt, options);
  }
}

export class CommandMismatchError extends CallbackError {
  constructor(errDlt: string) {
    super(400, 20003, 'command mismatch', errDlt);
  }
}

export class UnhandledCommandError extends CallbackError {
  constructor(errDlt: string) {
    super(404, 20004, 'command not handled', errDlt);
  }
}

export class InvalidTokenError extends CallbackError {
  constructor(errDlt: string) {
    super(401, 20005, 'missing or wrong callback token', errDlt);
  }
}

export class SourceNotAllowedError extends CallbackError {
  constructor(errDlt: string) {
    super(403, 20006, 'source IP not allowed', errDlt);
  }
}

export class BodyTooLargeError extends CallbackError {
  constructor(errDlt: string) {
    super(413, 20007, 'body too large', errDlt);
  }
}

export class UnsupportedContentTypeError extends CallbackError {
  constructor(errDlt: string, options?: ErrorOptions) {
    super(415, 20008, 'content type is not JSON', errDlt, options);
  }
}

export class MethodNotAllowedError extends CallbackError {
  constructor(errDlt: string) {
    super(405, 20009, 'method not allowed', errDlt);
  }
}

export class PublishFailedError extends CallbackError {
  constructor(errDlt: string, options?: ErrorOptions) {
    super(503, 25001, 'event could not be published or parked', errDlt, options);
  }
}

/** The callback token could not be read from its secret, so no callback can be checked. */
export class TokenUnavailableError extends CallbackError {
  constructor(options?: ErrorOptions) {
    super(503, 25002, 'callback token unavailable', 'the token secret could not be read; try again', options);
  }
}

/** A bug, not a bad request: nothing was published. Never expected; the fuzz test hunts for it. */
export class InternalError extends CallbackError {
  constructor(options?: ErrorOptions) {
    super(500, 25000, 'internal error', 'the callback was not processed; see the function logs', options);
  }
}

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
