/**
 * Decodes a callback reply the way OpenIM does: Go's json.Unmarshal into
 * `{actionCode int32, errCode int32, errMsg string, errDlt string, nextCode int32}`, keys matched
 * case-insensitively, unknown keys ignored, the HTTP status never looked at. A string where a
 * number belongs, a body that is not JSON or not an object, fails (OpenIM error 90007).
 */
export interface DecodedReply {
  actionCode: number;
  errCode: number;
  errMsg: string;
  errDlt: string;
  nextCode: number;
}

const FIELDS: Record<keyof DecodedReply, 'int32' | 'string'> = {
  actionCode: 'int32',
  errCode: 'int32',
  errMsg: 'string',
  errDlt: 'string',
  nextCode: 'int32',
};

export class ReplyDecodeError extends Error {}

export const decodeOpenImReply = (body: string): DecodedReply => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ReplyDecodeError(`not JSON: ${JSON.stringify(body.slice(0, 80))}`);
  }
  const reply: DecodedReply = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 };
  if (parsed === null) return reply;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ReplyDecodeError('cannot unmarshal a non-object into the reply struct');
  }
  for (const [key, value] of Object.entries(parsed)) {
    const field = (Object.keys(FIELDS) as (keyof DecodedReply)[]).find(
      (name) => name.toLowerCase() === key.toLowerCase(),
    );
    if (field === undefined || value === null) continue;
    if (FIELDS[field] === 'int32') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
        throw new ReplyDecodeError(`cannot unmarshal ${JSON.stringify(value)} into field ${field} of type int32`);
      }
      (reply[field] as number) = value;
    } else {
      if (typeof value !== 'string') {
        throw new ReplyDecodeError(`cannot unmarshal ${JSON.stringify(value)} into field ${field} of type string`);
      }
      (reply[field] as string) = value;
    }
  }
  return reply;
};

/** What OpenIM v3.0-3.5 make of the reply: any actionCode or nextCode 1 fails the user's call. */
export const isSuccess = (reply: DecodedReply): boolean =>
  reply.actionCode === 0 && reply.errCode === 0 && reply.nextCode === 0;
