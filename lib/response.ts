// What the login steps write on a response, in one place (wherever the framework keeps it: lib/adapter.ts).
import type { HeaderTarget } from './adapter';

/** Responses that carry or consume a token: never cached, never leaked in a Referer. */
export function noStore(res: HeaderTarget | undefined): void {
  if (res === undefined || res.headersSent) return;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}
