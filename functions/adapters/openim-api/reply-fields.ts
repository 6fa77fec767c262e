import { type FriendListVersion, type FriendRow, OpenImReadError } from '../../reconcile/openim-directory';
import type { ReplyData } from './envelope';
import type { ExactJson } from './exact-json';

/**
 * Reads the fields of OpenIM's reply `data` strictly: OpenIM always writes every field, so a
 * missing or mistyped one means a server this client does not understand, and the read fails
 * (never a guess that could publish a wrong repair). An empty list arrives as `null`.
 */
export class ReplyFields {
  constructor(
    private readonly endpoint: string,
    private readonly data: ReplyData,
  ) {}

  unreadable(what: string): OpenImReadError {
    return new OpenImReadError(`OpenIM ${this.endpoint}: unexpected reply, ${what}`, {
      endpoint: this.endpoint,
      retryable: false,
    });
  }

  string(name: string, from: ReplyData = this.data): string {
    const value = from[name];
    if (typeof value !== 'string') throw this.unreadable(`${name} is not a string`);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.data[name];
    if (typeof value !== 'boolean') throw this.unreadable(`${name} is not a boolean`);
    return value;
  }

  /** A count or a version: a whole number a double holds exactly (a BigInt above 2^53 is refused). */
  count(name: string): number {
    const value = this.data[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw this.unreadable(`${name} is not a whole number below 2^53`);
    }
    return value;
  }

  /** A list field: `null` is empty. */
  list(name: string): ExactJson[] {
    const value = this.data[name];
    if (value === null) return [];
    if (!Array.isArray(value)) throw this.unreadable(`${name} is neither a list nor null`);
    return value;
  }

  strings(name: string): string[] {
    const values = this.list(name);
    if (!values.every((value) => typeof value === 'string')) throw this.unreadable(`${name} holds a non-string`);
    return values as string[];
  }

  /** The object in `item`'s field `name` (a FriendInfo's `friendUser`, a BlackInfo's `blackUserInfo`). */
  nested(item: ExactJson, name: string): ReplyData {
    const value = isObject(item) ? item[name] : undefined;
    if (!isObject(value)) throw this.unreadable(`a list item has no ${name} object`);
    return value;
  }

  /** `FriendInfo` → the directed row it stands for. */
  friendRows(name: string): FriendRow[] {
    return this.list(name).map((info) => {
      if (!isObject(info)) throw this.unreadable(`${name} holds a non-object`);
      return { userID: this.string('userID', this.nested(info, 'friendUser')), remark: this.string('remark', info) };
    });
  }

  version(): FriendListVersion {
    return { versionID: this.string('versionID'), version: this.count('version') };
  }
}

const isObject = (value: ExactJson | undefined): value is ReplyData =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
