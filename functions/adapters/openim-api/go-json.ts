/**
 * Go's `json.Marshal`, byte for byte, for the values OpenIM writes: strings, integers (64-bit ones
 * as BigInt), booleans, null, arrays and objects (keys in the order given, as a Go struct's
 * fields). OpenIM hashes a friend list with it (`idHash`), and the API stand-in answers with it.
 *
 * Strings as Go 1.22+ escapes them (OpenIM v3.8 is built with a current Go): `"` and `\`; `\b`,
 * `\f`, `\n`, `\r`, `\t`; other control characters as `\u00XX`; `<`, `>`, `&` as `\u003c`,
 * `\u003e`, `\u0026`; U+2028 and U+2029 as `\u2028`, `\u2029`; everything else raw UTF-8 (DEL
 * too). Go replaces each invalid UTF-8 byte with the six characters `\ufffd`; a JavaScript string
 * cannot hold invalid UTF-8, and its nearest thing, a lone surrogate, is written the same way.
 * (A Go older than 1.22 wrote `\u0008` and `\u000c` for `\b` and `\f`: an ID holding one of those
 * would hash differently on such a build, which costs one full list read, never a wrong answer.)
 */
export type GoJsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly GoJsonValue[]
  | { readonly [key: string]: GoJsonValue };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what Go escapes
const NEEDS_ESCAPING = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

const unicodeEscape = (codeUnit: number): string => `\\u${codeUnit.toString(16).padStart(4, '0')}`;

const isHighSurrogate = (codeUnit: number): boolean => codeUnit >= 0xd800 && codeUnit <= 0xdbff;
const isLowSurrogate = (codeUnit: number): boolean => codeUnit >= 0xdc00 && codeUnit <= 0xdfff;

/** A Go JSON string literal (quotes included). */
export const goJsonString = (text: string): string => {
  if (!NEEDS_ESCAPING.test(text)) return `"${text}"`;
  let out = '"';
  for (let at = 0; at < text.length; at++) {
    const char = text.charAt(at);
    const code = text.charCodeAt(at);
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (code < 0x20 || char === '<' || char === '>' || char === '&' || code === 0x2028 || code === 0x2029) {
      out += unicodeEscape(code);
    } else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(at + 1))) {
      out += text.slice(at, at + 2); // a valid pair: one character outside the BMP, raw
      at++;
    } else if (isHighSurrogate(code) || isLowSurrogate(code)) out += '\\ufffd';
    else out += char;
  }
  return `${out}"`;
};

/** Go's `json.Marshal` of `value` (compact). Numbers must be integers: OpenIM's replies hold no floats. */
export const goJsonMarshal = (value: GoJsonValue): string => {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return goJsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer Go would write exactly: ${value}`);
      return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: GoJsonValue) => goJsonMarshal(item)).join(',')}]`;
  const fields = Object.entries(value as { readonly [key: string]: GoJsonValue });
  return `{${fields.map(([key, item]) => `${goJsonString(key)}:${goJsonMarshal(item)}`).join(',')}}`;
};
