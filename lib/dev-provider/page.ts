// The dev provider's pages: escaped HTML under a strict Content-Security-Policy.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML content and quoted attributes. */
export const escapeHtml = (text: unknown): string => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Answers with a page of the dev provider's look; `headers` are added (a cookie, a wider CSP). */
export function send(
  res: ServerResponse,
  status: number,
  title: string,
  body: string,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { ...PAGE_HEADERS, ...headers });
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Dev SSO</title>
<style>
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f3f5f9; color: #1d2433; margin: 0; }
  main { max-width: 34rem; margin: 3rem auto; background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); padding: 2rem 2.25rem; }
  h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
  .badge { display: inline-block; background: #fff3cd; color: #7a5b00; border-radius: 6px; padding: .1rem .5rem; font-size: .8rem; font-weight: 600; }
  p.muted { color: #5b6478; margin: .5rem 0 1.25rem; }
  form { margin: 0; }
  button.user { display: flex; width: 100%; align-items: center; gap: .9rem; text-align: left; background: #fff; border: 1px solid #d7dce6;
    border-radius: 10px; padding: .75rem 1rem; margin: .5rem 0; font: inherit; cursor: pointer; }
  button.user:hover, button.user:focus { border-color: #2f6fed; box-shadow: 0 0 0 3px rgba(47,111,237,.15); outline: none; }
  .avatar { width: 2.4rem; height: 2.4rem; border-radius: 50%; background: #2f6fed; color: #fff; display: grid; place-items: center; font-weight: 700; }
  .who strong { display: block; } .who span { color: #5b6478; font-size: .9rem; }
  code { background: #eef1f6; padding: .1rem .3rem; border-radius: 4px; word-break: break-all; }
  .error { color: #a01c1c; }
</style></head>
<body><main>${body}</main></body></html>`);
}

/** The id of the form an auto-submitting page posts. */
const FORM_ID = 'jwtsso-form-post';
/** The one script the dev provider ever runs, allowed by its hash (no inline script else, no nonce to leak). */
export const AUTO_SUBMIT_SCRIPT = `document.getElementById('${FORM_ID}').submit();`;
const AUTO_SUBMIT_HASH = `'sha256-${createHash('sha256').update(AUTO_SUBMIT_SCRIPT).digest('base64')}'`;

/**
 * Answers with a page that POSTs `fields` to `action` (`application/x-www-form-urlencoded`) at
 * once: a form with a visible "Continue" button, submitted by the one script the CSP allows
 * (by its hash), which may post only to `action`'s origin.
 */
export function sendFormPost(
  res: ServerResponse,
  args: { action: URL; fields: ReadonlyArray<readonly [string, string]>; headers: Record<string, string | string[]> },
): void {
  const inputs = args.fields
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  send(
    res,
    200,
    'Signing in',
    `<span class="badge">Development identity provider</span>
<h1>Signing in to ${escapeHtml(args.action.host)}…</h1>
<form id="${FORM_ID}" method="post" action="${escapeHtml(args.action.href)}" enctype="application/x-www-form-urlencoded">
${inputs}
<p class="muted">If nothing happens, continue by hand.</p>
<button class="user" type="submit">Continue</button>
</form>
<script>${AUTO_SUBMIT_SCRIPT}</script>`,
    {
      ...args.headers,
      'Content-Security-Policy': `${CSP}; script-src ${AUTO_SUBMIT_HASH}; form-action ${args.action.origin}`,
    },
  );
}
