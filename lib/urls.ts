// URL building and parameter stripping. Pure: strings in, strings out, no request.

/** One `key=value` pair of a query string, with its raw text kept byte for byte. */
export interface QueryPair {
  readonly raw: string;
  readonly key: string;
  readonly value: string;
}

// Decodes like URLSearchParams (`+` is a space), but leaves a malformed %-sequence as it is.
// Text with neither `%` nor `+` (a token, a state) is returned as it is: nothing to decode.
function decodeComponent(text: string): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut only: decodeURIComponent of text with no `%` or `+` is that text
  if (!text.includes('%') && !text.includes('+')) return text;
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Splits a query string (with or without its `?`) into pairs; empty pairs are dropped. */
export function splitQuery(query: string): QueryPair[] {
  const text = query.startsWith('?') ? query.slice(1) : query;
  const pairs: QueryPair[] = [];
  for (const raw of text.split('&')) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    const key = decodeComponent(eq === -1 ? raw : raw.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(raw.slice(eq + 1));
    pairs.push({ raw, key, value });
  }
  return pairs;
}

/** The values of every pair named `key`, in order. */
export function paramValues(pairs: readonly QueryPair[], key: string): string[] {
  return pairs.filter((p) => p.key === key).map((p) => p.value);
}

/**
 * False only where the target's query surely has no pair named `key`: there is no `?`, or the
 * query holds neither `key` nor an escape that could decode into it (`%`; `+` where `key` has a
 * space). No split and no decoding: a signed-in request asks it on every page. True is "maybe":
 * splitTarget decides.
 */
export function mayHaveParam(target: string, key: string): boolean {
  const q = target.indexOf('?');
  if (q === -1) return false;
  return target.includes(key, q) || target.includes('%', q) || (key.includes(' ') && target.includes('+', q));
}

/** Splits a request target (`/path?query`) into its path and query pairs. */
export function splitTarget(target: string): { path: string; pairs: QueryPair[] } {
  const hash = target.indexOf('#');
  const noHash = hash === -1 ? target : target.slice(0, hash);
  const q = noHash.indexOf('?');
  return q === -1 ? { path: noHash, pairs: [] } : { path: noHash.slice(0, q), pairs: splitQuery(noHash.slice(q + 1)) };
}

/**
 * `path` without its trailing slashes. An index scan: `/\/+$/` retries its run of slashes from
 * every position in it, quadratic in a long run (`////…x` blocks for seconds at 64 KiB).
 */
export function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: charCodeAt(-1) is NaN, never a slash, so the scan stops at 0 without the bound too
  while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
  return path.slice(0, end);
}

const SLASH = 0x2f;

/**
 * Makes a path that can only mean this origin: one leading `/` (so `//evil.example/` or
 * `/\evil.example` cannot become another host), and every character outside printable ASCII
 * %-encoded (so it is a valid Location header).
 */
export function localPath(path: string): string {
  const rooted = '/' + path.replace(/^[/\\]+/, '');
  return rooted.replace(/[^\x21-\x7e]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? '%' + code.toString(16).toUpperCase().padStart(2, '0') : encodeURIComponent(c);
  });
}

/**
 * The request target without the named parameters, every other pair kept as it was sent,
 * as a local path. Used both as the stripping redirect and as the key of a pending token.
 */
export function stripParams(target: string, remove: readonly string[]): string {
  return strippedSplit(splitTarget(target), remove);
}

/** {@link stripParams} of a target already split (by {@link splitTarget}): its query is not decoded again. */
export function strippedSplit(split: { readonly path: string; readonly pairs: readonly QueryPair[] }, remove: readonly string[]): string {
  let kept = '';
  for (const p of split.pairs) if (!remove.includes(p.key)) kept += (kept === '' ? '?' : '&') + p.raw;
  return localPath(split.path) + kept;
}

// A same-origin path: starts with one `/`, no `\\`, no control or space characters.
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const SAFE_PATH = /^\/(?![/\\])[^\\\x00-\x20\x7f]*$/;
// A path and query the WHATWG parser keeps as they are: one leading `/`, no `%` or `\\` in the
// path (no encoded dot segment or slash), nothing it would %-encode anywhere. Dot segments
// are looked for separately.
const PLAIN_TARGET = /^\/(?![/])[A-Za-z0-9\-._~!$&()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]+)?$/;
// (Asked of a path PLAIN_TARGET took, so it starts with `/`: a dot segment always follows one.)
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;
// Any origin serves: only the path a browser would make of a string is looked at.
const JUDGE_ORIGIN = 'http://origin.invalid';

/**
 * `returnTo` if it is a path on this origin, else `null`. Refuses `//host`, `/\host`,
 * absolute URLs, `javascript:` and anything with control characters or backslashes.
 */
export function sameOriginPath(returnTo: unknown): string | null {
  if (typeof returnTo !== 'string' || !SAFE_PATH.test(returnTo)) return null;
  // Belt and braces: what a browser would make of it must stay on the base origin.
  // Stryker disable BlockStatement: the catch block is unreachable: a path-absolute reference against a valid base never throws
  try {
    // Stryker disable next-line ConditionalExpression: SAFE_PATH already admits only a path-absolute reference, which keeps the base's origin; kept as a second line of defence
    return new URL(returnTo, JUDGE_ORIGIN).origin === JUDGE_ORIGIN ? returnTo : null;
  } catch {
    return null;
  }
}
// Stryker restore BlockStatement

/**
 * The path below `mountPoint` that a browser will request for `mountPoint + path`, judged the
 * way every browser resolves it (WHATWG URL: `..` and `.` segments, their %-encoded forms `%2e`,
 * backslashes as slashes), query kept; `'/'` when it would leave `mountPoint`. So
 * `/../other-app/x` below `/app` is `/`, never `/app/../other-app/x` (= `/other-app/x`).
 * The path is also judged once %-decoded (`..%2fother`), as a proxy that decodes before it
 * routes would see it. `mountPoint` must be normalised itself (the options check it).
 */
export function pathWithin(mountPoint: string, path: string): string {
  // Most paths hold nothing a browser would resolve or re-encode: then they are what they say.
  // Stryker disable next-line ConditionalExpression: a shortcut only: resolvedWithin returns a plain target as it is too
  if (isPlainTarget(path)) return path;
  return resolvedWithin(mountPoint, path);
}

/**
 * True if a browser requests `path` (a path and query) exactly as written: the shortcut of
 * pathWithin, taken by the ordinary paths of an app (any length, with or without a query).
 */
export function isPlainTarget(path: string): boolean {
  return PLAIN_TARGET.test(path) && !DOT_SEGMENT.test(pathPart(path));
}

const pathPart = (target: string): string => {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
};

/** {@link pathWithin} without its shortcut: what the WHATWG URL parser makes of the path. */
export function resolvedWithin(mountPoint: string, path: string): string {
  const base = mountPoint + '/';
  const url = new URL(mountPoint + localPath(path), JUDGE_ORIGIN);
  const decodedPath = decodeComponent(pathPart(path)).replace(/[?#]/g, '_');
  const decoded = new URL(mountPoint + localPath(decodedPath), JUDGE_ORIGIN);
  if (!url.pathname.startsWith(base) || !decoded.pathname.startsWith(base)) return '/';
  // localPath again: with no mountPoint, `/.//evil.example` resolves to `//evil.example`.
  return localPath(url.pathname.slice(mountPoint.length)) + url.search;
}

/**
 * True if a browser keeps `mountPoint` as it is written: one leading `/` (or nothing), no `?`, `#`
 * or `\\`, no space or control character (the URL parser strips, drops or %-encodes each), no dot
 * segment, nothing else it would %-encode. The whole rule of mountPoint and callbackPath.
 */
export function isNormalisedMountPoint(mountPoint: string): boolean {
  return new URL(mountPoint + '/', JUDGE_ORIGIN).pathname === mountPoint + '/';
}

/** Appends `key=value` to a URL's query, before any fragment. Both must already be URL-safe. */
export function appendParam(url: string, key: string, value: string): string {
  const hash = url.indexOf('#');
  const beforeHash = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? '' : url.slice(hash);
  const sep = beforeHash.includes('?') ? (beforeHash.endsWith('?') || beforeHash.endsWith('&') ? '' : '&') : '?';
  return `${beforeHash}${sep}${key}=${value}${fragment}`;
}

/**
 * The provider's login URL: `authEndpoint` with its own query kept, `params` added, and the
 * `fixed` parameters (the return URL, state, nonce) set last so that nothing can override them.
 * The same bytes as `URL.searchParams.set` of each in turn, with the endpoint parsed once (not
 * per login) and the query serialised once (not per parameter).
 */
export function loginUrl(authEndpoint: string, params: Readonly<Record<string, string>>, fixed: Readonly<Record<string, string>>): string {
  const e = parsedEndpoint(authEndpoint);
  const query = new URLSearchParams(e.query);
  let changed = false;
  for (const key of Object.keys(params)) {
    query.set(key, params[key]!);
    changed = true;
  }
  for (const key of Object.keys(fixed)) {
    query.set(key, fixed[key]!);
    changed = true;
  }
  // Untouched, the endpoint keeps its query as the URL parser wrote it; set, it is re-serialised
  // (URLSearchParams' form encoding); a parameter was set, so the query is never empty.
  if (!changed) return e.href;
  return e.head + '?' + query.toString() + e.fragment;
}

interface ParsedEndpoint {
  /** The whole URL as the parser writes it. */
  readonly href: string;
  /** Everything before the query and the fragment. */
  readonly head: string;
  /** The query, without its `?`. */
  readonly query: string;
  /** The fragment with its `#`, or empty (no fragment). */
  readonly fragment: string;
}

// Endpoints are the strategies' options: a few per process. Bounded all the same.
const MAX_ENDPOINTS = 64;
const endpoints = new Map<string, ParsedEndpoint>();

function parsedEndpoint(authEndpoint: string): ParsedEndpoint {
  let e = endpoints.get(authEndpoint);
  // Stryker disable next-line ConditionalExpression: a cache: parsing the endpoint again gives the same parts
  if (e !== undefined) return e;
  const url = new URL(authEndpoint);
  const bare = new URL(authEndpoint);
  bare.search = '';
  bare.hash = '';
  // The first `#` of an href starts its fragment (one in a path or query is %-encoded); an empty
  // fragment (`…#`) has an empty `hash` but stays in the href.
  const hash = url.href.indexOf('#');
  // Stryker disable next-line MethodExpression: URLSearchParams ignores one leading `?`, so the query parses the same with it
  e = { href: url.href, head: bare.href, query: url.search.slice(1), fragment: hash === -1 ? '' : url.href.slice(hash) };
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the cache's bound: clearing sooner, later or never changes no URL, only memory
  if (endpoints.size >= MAX_ENDPOINTS) endpoints.clear();
  endpoints.set(authEndpoint, e);
  return e;
}
