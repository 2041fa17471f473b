// What the login steps write on a response, in one place.
import type { ServerResponse } from 'node:http';

/** Responses that carry or consume a token: never cached, never leaked in a Referer. */
export function noStore(res: ServerResponse | undefined): void {
  if (res === undefined || res.headersSent) return;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}
