// What the login steps write on a response, in one place (wherever the framework keeps it: lib/frameworks/).
import type { HeaderTarget } from './frameworks';

/** Responses that carry or consume a token: never cached, never leaked in a Referer. */
export function noStore(res: HeaderTarget | undefined): void {
  if (res === undefined || res.headersSent) return;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** The media types a refusal page is written in, by the request's Accept header. */
export type PageFormat = 'html' | 'json' | 'text';

/**
 * The format of the page for a request's Accept header: HTML where the request names text/html
 * (a browser), JSON where it names a JSON type and not HTML, else plain text. One pass over the
 * header (split at commas): linear time on any input.
 */
export function pageFormat(accept: string | undefined): PageFormat {
  if (accept === undefined) return 'text';
  let json = false;
  for (const part of accept.split(',')) {
    const type = part.split(';', 1)[0]!.trim().toLowerCase();
    if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
    if (type === 'application/json' || type.endsWith('+json')) json = true;
  }
  return json ? 'json' : 'text';
}

/**
 * The page of a refusal when the app gave Passport no way to answer it (no failureRedirect,
 * failWithError, failureMessage, failureFlash or custom callback): what happened and its code,
 * in the format the request accepts. Our messages never hold a token, a secret or a key.
 */
export function refusalPage(err: { code: string; message: string; status: number }, format: PageFormat): { type: string; body: string } {
  if (format === 'json') return { type: 'application/json; charset=utf-8', body: JSON.stringify({ code: err.code, message: err.message }) };
  const title = err.status === 403 ? 'Sign-in refused' : 'Not signed in';
  if (format === 'text') return { type: 'text/plain; charset=utf-8', body: `${title} (${err.code}): ${err.message}\n` };
  return {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${escapeHtml(err.message)}</p><p><code>${err.code}</code></p></body></html>\n`,
  };
}
