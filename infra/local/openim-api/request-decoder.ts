import { type ExactJson, parseExactJson } from '../../../functions/adapters/openim-api/exact-json';
import { ApiError, errArgs } from './api-error';

/**
 * Decodes a request body as OpenIM's API layer does (`tools/a2r`): Go's `json.Unmarshal` into
 * the route's protobuf struct (keys matched case-insensitively, unknown keys ignored, `null`
 * leaves the zero value, a wrong type is an error), then the struct's `Check()`. A decode error
 * is errCode 1001 with Go's message as errMsg.
 */
export type FieldType =
  | 'string'
  | 'int32'
  | 'uint64'
  | 'bool'
  | 'strings'
  | 'pagination'
  | 'boolValue'
  | 'stringValue'
  | 'users';

export type Schema = Record<string, FieldType>;

type Decoded<T extends FieldType> = T extends 'string'
  ? string
  : T extends 'int32'
    ? number
    : T extends 'uint64'
      ? bigint
      : T extends 'bool'
        ? boolean
        : T extends 'strings'
          ? string[] | null
          : T extends 'pagination'
            ? { pageNumber: number; showNumber: number } | null
            : T extends 'boolValue'
              ? boolean | undefined
              : T extends 'stringValue'
                ? string | undefined
                : { userID: string; nickname: string; faceURL: string; ex: string }[];

export type Request<S extends Schema> = { [K in keyof S]: Decoded<S[K]> };

const GO_TYPES: Record<FieldType, string> = {
  string: 'string',
  int32: 'int32',
  uint64: 'uint64',
  bool: 'bool',
  strings: '[]string',
  pagination: 'sdkws.RequestPagination',
  boolValue: 'wrapperspb.BoolValue',
  stringValue: 'wrapperspb.StringValue',
  users: '[]*sdkws.UserInfo',
};

const jsonType = (value: ExactJson): string => {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
};

const isObject = (value: ExactJson): value is { [key: string]: ExactJson } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Go's field lookup: the exact key, else the first that matches ignoring case. */
const lookup = (body: { [key: string]: ExactJson }, name: string): ExactJson | undefined => {
  if (name in body) return body[name];
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
};

export const decodeRequest = <S extends Schema>(struct: string, schema: S, raw: string): Request<S> => {
  let body: ExactJson;
  try {
    body = parseExactJson(raw);
  } catch (error) {
    const message = raw.trim() === '' ? 'unexpected end of JSON input' : (error as Error).message;
    throw new ApiError(1001, message, '');
  }
  if (body !== null && !isObject(body)) {
    throw new ApiError(1001, `json: cannot unmarshal ${jsonType(body)} into Go value of type ${struct}`, '');
  }
  const decoded: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(schema)) {
    decoded[name] = decodeField(`${struct}.${name}`, type, body === null ? undefined : lookup(body, name));
  }
  return decoded as Request<S>;
};

const decodeField = (path: string, type: FieldType, value: ExactJson | undefined): unknown => {
  const wrong = (detail = ''): ApiError =>
    new ApiError(
      1001,
      `json: cannot unmarshal ${jsonType(value ?? null)}${detail} into Go struct field ${path} of type ${GO_TYPES[type]}`,
      '',
    );
  const absent = value === undefined || value === null;
  switch (type) {
    case 'string':
      if (absent) return '';
      if (typeof value !== 'string') throw wrong();
      return value;
    case 'bool':
      if (absent) return false;
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case 'int32':
      if (absent) return 0;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
        throw typeof value === 'number' || typeof value === 'bigint' ? wrong(` ${value}`) : wrong();
      }
      return value;
    case 'uint64': {
      if (absent) return 0n;
      const big =
        typeof value === 'bigint'
          ? value
          : typeof value === 'number' && Number.isSafeInteger(value)
            ? BigInt(value)
            : undefined;
      if (big === undefined || big < 0n || big >= 2n ** 64n)
        throw typeof value === 'number' ? wrong(` ${value}`) : wrong();
      return big;
    }
    case 'strings':
      if (absent) return null;
      if (!Array.isArray(value)) throw wrong();
      return value.map((item) => {
        if (item !== null && typeof item !== 'string') throw wrong();
        return item ?? '';
      });
    case 'pagination': {
      if (absent) return null;
      if (!isObject(value)) throw wrong();
      return {
        pageNumber: decodeField(`${path}.pageNumber`, 'int32', lookup(value, 'pageNumber')),
        showNumber: decodeField(`${path}.showNumber`, 'int32', lookup(value, 'showNumber')),
      };
    }
    case 'boolValue':
    case 'stringValue': {
      if (absent) return undefined;
      if (!isObject(value)) throw wrong();
      return decodeField(`${path}.value`, type === 'boolValue' ? 'bool' : 'string', lookup(value, 'value'));
    }
    case 'users':
      if (absent) return [];
      if (!Array.isArray(value)) throw wrong();
      return value.map((user) => {
        if (user !== null && !isObject(user)) throw wrong();
        const field = (name: string) =>
          decodeField(`${path}.${name}`, 'string', user === null ? undefined : lookup(user, name));
        return { userID: field('userID'), nickname: field('nickname'), faceURL: field('faceURL'), ex: field('ex') };
      });
  }
};

/** A `Check()` failure: 1001 with the reason as errDlt. */
export const check = (failed: boolean, reason: string): void => {
  if (failed) throw errArgs(reason);
};
