/**
 * The callback token is a secret path segment: these are the only ways a path or URL holding one
 * is printed (the local server's console, `npm run send`). Whatever the path looks like (`//`,
 * percent-encoding, junk before the prefix, a command pasted after the token), the token's place
 * is printed as `<token>`, and so is any segment that is the token.
 */
export const TOKEN_MASK = '<token>';

const decoded = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const isToken = (segment: string, token: string | undefined): boolean =>
  token !== undefined && token !== '' && (segment === token || decoded(segment) === token);

/** OpenIM's command names: the one kind of segment after a token that is safe to show. */
const looksLikeCommand = (segment: string): boolean => /^callback[A-Za-z]{1,60}$/.test(segment);

/**
 * A request path as the local server prints it: after every occurrence of the prefix (empty
 * segments ignored, as the handler reads `//`), the next segment is the token's place and is
 * masked, right or wrong; so is any segment equal to `token`.
 */
export const maskPathToken = (rawPath: string, prefix: string, token?: string): string => {
  const prefixSegments = prefix.split('/').filter(Boolean);
  const segments = rawPath.split('/');
  const nonEmpty = segments.flatMap((segment, at) => (segment === '' ? [] : [at]));
  const tokenPlaces = new Set<number>();
  nonEmpty.forEach((_, start) => {
    const matches = prefixSegments.every((part, offset) => segments[nonEmpty[start + offset] ?? -1] === part);
    const place = nonEmpty[start + prefixSegments.length];
    if (matches && place !== undefined) tokenPlaces.add(place);
  });
  return segments
    .map((segment, at) => (tokenPlaces.has(at) || isToken(segment, token) ? TOKEN_MASK : segment))
    .join('/');
};

/**
 * The URL `npm run send` posts to, printed without the token of the configured callback URL: its
 * last path segment is the token's place (the one before it, when a command was pasted after the
 * token), masked wherever it appears in the request URL; credentials in the URL are dropped.
 */
export const maskCallbackUrl = (requestUrl: string, configuredUrl: string): string => {
  const configured = new URL(configuredUrl).pathname.split('/').filter(Boolean);
  const last = configured.at(-1);
  const token = last !== undefined && looksLikeCommand(last) ? configured.at(-2) : last;
  const url = new URL(requestUrl);
  const path = url.pathname
    .split('/')
    .map((segment) => (isToken(segment, token) ? TOKEN_MASK : segment))
    .join('/');
  const query = [...url.searchParams]
    .map(([name, value]) => `${name}=${isToken(value, token) ? TOKEN_MASK : value}`)
    .join('&');
  return `${url.origin}${path}${query ? `?${query}` : ''}`;
};
