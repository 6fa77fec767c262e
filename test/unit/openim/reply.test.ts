import {
  acceptedReply,
  BodyTooLargeError,
  CommandMismatchError,
  InvalidFieldError,
  InvalidTokenError,
  MalformedBodyError,
  PublishFailedError,
  refusalReply,
  SourceNotAllowedError,
  TokenUnavailableError,
  UnhandledCommandError,
  UnsupportedContentTypeError,
} from '../../../functions/openim/reply';
import { decodeOpenImReply } from '../../../infra/openim-sender-simulator/openim-reply';

describe('the reply contract', () => {
  it('accepts with HTTP 200 and exactly the five keys, all codes 0', () => {
    const { statusCode, reply } = acceptedReply();
    expect(statusCode).toBe(200);
    expect(JSON.stringify(reply)).toBe('{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}');
  });

  it.each([
    [new MalformedBodyError('d'), 400, 20001],
    [new InvalidFieldError('d'), 400, 20002],
    [new CommandMismatchError('d'), 400, 20003],
    [new UnhandledCommandError('d'), 404, 20004],
    [new InvalidTokenError('d'), 401, 20005],
    [new SourceNotAllowedError('d'), 403, 20006],
    [new BodyTooLargeError('d'), 413, 20007],
    [new UnsupportedContentTypeError('d'), 415, 20008],
    [new PublishFailedError('d'), 503, 25001],
    [new TokenUnavailableError(), 503, 25002],
  ])('refuses %p with HTTP %i and errCode %i, actionCode 1, nextCode 0', (error, status, errCode) => {
    const { statusCode, reply } = refusalReply(error);
    expect(statusCode).toBe(status);
    expect(Object.keys(reply)).toEqual(['actionCode', 'errCode', 'errMsg', 'errDlt', 'nextCode']);
    expect(reply).toMatchObject({ actionCode: 1, errCode, nextCode: 0 });
    expect(reply.errMsg).not.toBe('');
    expect(decodeOpenImReply(JSON.stringify(reply))).toEqual(reply);
  });

  it('refuses an unexpected exception with 500 / 25000 and no internals in the reply', () => {
    const { statusCode, reply } = refusalReply(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(statusCode).toBe(500);
    expect(reply.errCode).toBe(25000);
    expect(JSON.stringify(reply)).not.toMatch(/Cannot read|TypeError/);
  });
});
