/**
 * JSON with OpenIM's 64-bit integers kept exact. OpenIM (Go) writes `uint64`/`int64` fields as
 * plain JSON numbers, and `JSON.parse` rounds any integer above 2^53 (an `idHash` almost always is
 * one). The reader uses the reviver's `context.source` (JSON.parse source text access, Node.js 21
 * and later) to turn every integer literal outside the safe range into a BigInt; the writer uses
 * `JSON.rawJSON` (same proposal) to send a BigInt as a JSON number, which Go decodes exactly.
 * Both are built into the runtime: no parser of our own to get wrong, at JSON.parse's speed.
 */
export type ExactJson = null | boolean | number | bigint | string | ExactJson[] | { [key: string]: ExactJson };

interface SourceTextJson {
  rawJSON(text: string): unknown;
}

const INTEGER_LITERAL = /^-?\d+$/;

/** Fails loudly on a runtime without source text access, rather than rounding an idHash silently. */
const sourceTextJson = (): SourceTextJson => {
  const json = JSON as unknown as Partial<SourceTextJson>;
  if (typeof json.rawJSON !== 'function') {
    throw new Error(
      `reading OpenIM's 64-bit numbers exactly needs Node.js 21 or later (JSON.parse source text access); this is ${process.version}`,
    );
  }
  return json as SourceTextJson;
};

/** `JSON.parse`, except that an integer too large for a double comes back as a BigInt with every digit. */
export const parseExactJson = (text: string): ExactJson => {
  sourceTextJson();
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    INTEGER_LITERAL.test(context.source)
      ? BigInt(context.source)
      : value,
  ) as ExactJson;
};

/** `JSON.stringify`, except that a BigInt is written as a JSON number with every digit. */
export const stringifyExactJson = (value: unknown): string => {
  const json = sourceTextJson();
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? json.rawJSON(item.toString()) : item,
  );
};
