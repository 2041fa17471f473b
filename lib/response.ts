// What the login steps write on a response, in one place (wherever the framework keeps it: lib/frameworks/).
import type { HeaderTarget } from './frameworks';

/** Responses that carry or consume a token: never cached, never leaked in a Referer. */
export function noStore(res: HeaderTarget | undefined): void {
  if (res === undefined || res.headersSent) return;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}
