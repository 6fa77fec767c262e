/**
 * Text as OpenIM sends it, made safe without refusing the callback: a refused after-callback is a
 * lost one (OpenIM never retries), so decorative text that is too long or unusual is kept in a
 * safe form, and the event says which fields hold one.
 */

/** A value and whether it differs from what OpenIM sent. */
export interface SafeText {
  value: string;
  altered: boolean;
}

/** Every UTF-16 surrogate is in a pair, so the text can be written as UTF-8 (a lone one cannot). */
export const isWellFormed = (value: string): boolean => {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code >= 0xdc00 && code <= 0xdfff) return false; // a low surrogate without a high one before it
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      index++;
    }
  }
  return true;
};

/** Characters a trace id should not carry raw: C0, DEL, C1, U+FFFE/U+FFFF and lone surrogates. */
const isUnsafe = (codePoint: number): boolean =>
  codePoint < 0x20 ||
  (codePoint >= 0x7f && codePoint <= 0x9f) ||
  codePoint === 0xfffe ||
  codePoint === 0xffff ||
  (codePoint >= 0xd800 && codePoint <= 0xdfff);

const escaped = (char: string): string => {
  const codePoint = char.codePointAt(0) ?? 0;
  if (char === '\\') return '\\\\';
  return isUnsafe(codePoint) ? `\\u${codePoint.toString(16).padStart(4, '0')}` : char;
};

/** Keeps whole pieces (characters or escapes) while they fit in `maxBytes` of UTF-8. */
const keepWithin = (pieces: Iterable<string>, maxBytes: number): string => {
  let kept = '';
  let bytes = 0;
  for (const piece of pieces) {
    const size = Buffer.byteLength(piece, 'utf8');
    if (bytes + size > maxBytes) break;
    kept += piece;
    bytes += size;
  }
  return kept;
};

/**
 * Plain text of at most `maxBytes` UTF-8 bytes (for a trace id such as OpenIM's operationID): a
 * value with unsafe characters has them written as `\uXXXX` and its backslashes doubled (so an
 * escape is never ambiguous), and a value too long is cut on a character boundary, never inside an
 * escape. A plain value within the bound is kept as it is.
 */
export const safeText = (value: string, maxBytes: number): SafeText => {
  const unsafe = [...value].some((char) => isUnsafe(char.codePointAt(0) ?? 0));
  if (!unsafe && Buffer.byteLength(value, 'utf8') <= maxBytes) return { value, altered: false };
  const pieces = unsafe ? [...value].map(escaped) : value;
  return { value: keepWithin(pieces, maxBytes), altered: true };
};

/** Free text cut to at most `maxBytes` UTF-8 bytes on a character boundary; every character kept as sent. */
export const truncateText = (value: string, maxBytes: number): SafeText =>
  // Cheap first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  value.length * 3 <= maxBytes || Buffer.byteLength(value, 'utf8') <= maxBytes
    ? { value, altered: false }
    : { value: keepWithin(value, maxBytes), altered: true };
