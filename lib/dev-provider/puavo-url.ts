// Puavo's URL rules: which return parameters it reads, which hosts may receive a token, and
// how it adds the token to return_to.

/** The return parameters Puavo accepts, in the order it reads them. */
export const RETURN_PARAMS = ['return_to', 'return', 'redirect_uri'];

/**
 * Adds the token to `return_to` the way Puavo does: existing parameters kept but re-serialised
 * (keys sorted, the last of duplicate keys wins, spaces as `%20`), an existing token parameter
 * overwritten, the fragment kept.
 */
export function addTokenToReturnUrl(returnTo: URL, tokenParam: string, token: string): string {
  const params = new Map<string, string>();
  for (const [key, value] of returnTo.searchParams) params.set(key, value);
  params.set(tokenParam, token);
  const query = [...params.keys()]
    .sort()
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(params.get(key)!)}`)
    .join('&');
  return `${returnTo.origin}${returnTo.pathname}?${query}${returnTo.hash}`;
}

function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowed.includes(host) || allowed.includes(hostname);
}

/** An absolute http(s) URL on an allowed host, or the reason it is not. */
export function checkReturnUrl(value: string | null, allowed: readonly string[]): URL | string {
  if (value === null || value === '') return 'No return address was given (return_to).';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'The return address is not an absolute URL.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The return address is not an http(s) URL.';
  if (url.username !== '' || url.password !== '') return 'The return address carries credentials.';
  if (!hostAllowed(url, allowed)) return `The host ${url.host} is not allowed to receive tokens. Allowed: ${allowed.join(', ')}.`;
  return url;
}
