/** What the URL path says: `/<prefix>/<token>[/<command>]`, empty segments (`//`) ignored. */
export interface CallbackPath {
  token?: string;
  command?: string;
}

export const parseCallbackPath = (rawPath: string, prefix: string): CallbackPath => {
  const segments = rawPath.split('/').filter(Boolean);
  const prefixSegments = prefix.split('/').filter(Boolean);
  if (prefixSegments.some((segment, index) => segments[index] !== segment)) return {};
  const [token, ...rest] = segments.slice(prefixSegments.length);
  return {
    ...(token === undefined ? {} : { token }),
    ...(rest.length === 0 ? {} : { command: rest.join('/') }),
  };
};
