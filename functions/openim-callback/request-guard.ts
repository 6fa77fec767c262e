import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TokenSource } from '../aws/callback-token';
import { BodyTooLargeError } from '../openim/errors';
import { parseCallbackPath } from './callback-path';
import { bodyBytes } from './callback-request';
import { checkToken } from './token-check';

export interface RequestGuardOptions {
  pathPrefix: string;
  tokens: TokenSource;
  checkSource: (sourceIp: string | undefined) => void;
  maxBodyBytes: number;
}

/**
 * Runs before the body is parsed: the source IP (403), the callback token (401) and the body
 * size (413), so nothing from an unauthenticated or oversized request is ever parsed.
 */
export const requestGuard = (options: RequestGuardOptions): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: async ({ event }) => {
    options.checkSource(event.requestContext?.http?.sourceIp);
    await checkToken(parseCallbackPath(event.rawPath ?? '', options.pathPrefix).token, options.tokens);
    const size = bodyBytes(event);
    if (size > options.maxBodyBytes) {
      throw new BodyTooLargeError(`the body is ${size} bytes; the limit is ${options.maxBodyBytes}`);
    }
  },
});
