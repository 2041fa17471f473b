// Reading what a browser sends the dev provider: its cookies and its login form.
import type { IncomingMessage } from 'node:http';

const MAX_FORM_BYTES = 16 * 1024;

/** One cookie's value, or undefined when it is absent or cannot be decoded. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined; // a cookie it cannot read is no remembered user
    }
  }
  return undefined;
}

/** A form over 16 KiB: answered 413. */
export class FormTooLarge extends Error {}

/** The urlencoded form of a POST (or the body a body parser already read), at most 16 KiB. */
export function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const parsed = (req as { body?: unknown }).body;
  if (parsed !== null && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) {
    return Promise.resolve(new URLSearchParams(parsed as Record<string, string>));
  }
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) return Promise.reject(new FormTooLarge());
  return new Promise((resolvePromise, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new FormTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
