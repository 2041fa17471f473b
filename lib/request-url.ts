// The only code that reads Host, X-Forwarded-Host, X-Forwarded-Proto and X-Scheme. Whether the
// peer is a trusted proxy is the framework's setting, asked of the request's view (lib/frameworks/).
import type { IncomingMessage } from 'node:http';
import type { RequestView } from './frameworks';
import { JwtSsoError, JwtSsoErrorCode as Code } from './errors';

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*\\.?|\\[[0-9A-Fa-f:.]{2,45}\\])(?::([0-9]{1,5}))?$`);
const MAX_HOST_LENGTH = 261; // 253 for the name, 8 for ":65535" and brackets
const MAX_PORT = 65535;

/** True for a syntactically valid `host[:port]` (DNS name, IPv4, or bracketed IPv6). */
export function isValidHost(host: string): boolean {
  // The length first, so the pattern never runs on a long input; HOST refuses an empty one.
  if (host.length > MAX_HOST_LENGTH) return false;
  const match = HOST.exec(host);
  if (match === null) return false;
  return match[1] === undefined || Number(match[1]) <= MAX_PORT;
}

/** A request as the app's framework hands it over (the login-state stores read its Cookie header). */
export type RequestLike = IncomingMessage & {
  app?: { get?: (setting: string) => unknown };
};

/** What the public origin is worked out from: the request's headers and connection, and its framework's trust-proxy setting. */
export type OriginSource = Pick<RequestView, 'headers' | 'encrypted' | 'trustsProxy'>;

function firstHeader(req: OriginSource, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const first = text.split(',')[0]!.trim(); // split always returns at least one part
  return first === '' ? undefined : first;
}

/**
 * The public origin (`scheme://host[:port]`) of a request. The `host` and `scheme` options
 * always win; otherwise Host and X-Forwarded-Proto/X-Scheme are read, and X-Forwarded-Host and
 * the proto headers only from a peer that the framework's trust-proxy setting (Express's `trust
 * proxy`) trusts.
 */
export function requestOrigin(req: OriginSource, fixed: { host?: string | undefined; scheme?: string | undefined }): string {
  // Asked even when both options are fixed (then no header is read): one rule, no shortcut.
  const trusted = req.trustsProxy();
  let scheme = fixed.scheme;
  if (scheme === undefined) {
    // A request without a socket (a test harness's) is not encrypted.
    const socketScheme = req.encrypted ? 'https' : 'http';
    const forwarded = trusted ? (firstHeader(req, 'x-forwarded-proto') ?? firstHeader(req, 'x-scheme')) : undefined;
    const lower = forwarded?.toLowerCase();
    scheme = lower === 'http' || lower === 'https' ? lower : socketScheme;
  }
  let host = fixed.host;
  if (host === undefined) {
    host = (trusted ? firstHeader(req, 'x-forwarded-host') : undefined) ?? firstHeader(req, 'host');
    if (host === undefined || !isValidHost(host)) {
      throw new JwtSsoError(
        Code.HOST_INVALID,
        'The request\'s Host header is missing or not a valid host[:port]. Set the "host" option to the app\'s public host so that headers are not used.',
      );
    }
  }
  return `${scheme}://${host.toLowerCase()}`;
}
