// The body of a form POST to the callback route (`responseMode: 'form_post'`): the parameters a
// body parser already made of it (express.urlencoded, @fastify/formbody, koa-bodyparser, NestJS's
// default), or else the raw body read here, bounded. Either way the result is the same list of
// pairs a query gives, so one set of rules (a single token parameter, its shape) covers both.
// Where each framework keeps the parsed body and Node's request is its adapter's business
// (lib/frameworks/): this module sees only the request's view.
import type { Readable } from 'node:stream';
import { JwtSsoError, JwtSsoErrorCode as Code } from './errors';
import type { RequestView } from './frameworks';
import { splitQuery, type QueryPair } from './urls';

/**
 * Largest form body read, in bytes: a token (at most 8 KiB), a return URL and a few provider
 * parameters fit many times over; anything larger is refused before it is read.
 */
export const MAX_FORM_BYTES = 32 * 1024;

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** What a form is read from: the request's headers, the body a parser made, Node's request stream. */
export type FormSource = Pick<RequestView, 'headers' | 'body' | 'stream'>;

type BodyStream = Readable & { readableDidRead?: boolean };

const malformed = (why: string): JwtSsoError =>
  new JwtSsoError(Code.TOKEN_MALFORMED, `The sign-in form is malformed: ${why}. Start the sign-in again.`);

// Names the parameter (ours, from the options), never the value or the key as it was sent.
const notOneString = (name: string): JwtSsoError =>
  malformed(`the "${name}" parameter is not one string (it was sent twice, as an array or as an object)`);

/**
 * The parameters of a form POST, however the framework hands its body over. Each of the `read`
 * parameters (the token, the return URL, the state) must be one string: an array or an object a
 * parser made of it (`jwt[]=…`, `jwt[0]=…`, `jwt[a]=…`, or `jwt` sent twice), a non-string a JSON
 * parser made, or a bracketed key a parser kept as it was (`jwt[]`), is refused.
 */
export async function formPairs(from: FormSource, args: { read: readonly string[] }): Promise<QueryPair[]> {
  const pairs = await anyFormPairs(from, args.read);
  for (const { key } of pairs) {
    const bracketed = args.read.find((name) => key.startsWith(`${name}[`));
    if (bracketed !== undefined) throw notOneString(bracketed);
  }
  return pairs;
}

async function anyFormPairs(req: FormSource, read: readonly string[]): Promise<QueryPair[]> {
  const type = req.headers['content-type'];
  // A missing header reads as "undefined", which the pattern refuses like any other type.
  if (!FORM_TYPE.test(String(type))) {
    throw malformed('it is not sent as application/x-www-form-urlencoded (UTF-8)');
  }
  // A null body counts as none (`??`).
  const parsed = (req.body ?? undefined) as NonNullable<unknown> | undefined;
  const stream = unreadStream(req.stream);
  // A JSON parser ahead of the route leaves `{}` and the body unread: then it is read here.
  if (stream !== undefined && (parsed === undefined || isEmptyObject(parsed))) return splitQuery(await readBody(stream, req.headers));
  // The app's setup, not the client's doing: a fault (500) that names the fix.
  if (parsed === undefined) throw bodyUnreadable();
  return pairsOf(parsed, read);
}

/**
 * True while the request's body is still unread or partly read (a refused body): the response
 * should then close the connection rather than leave the socket waiting for the rest.
 */
export function bodyLeftUnread(from: Pick<RequestView, 'stream'>): boolean {
  return from.stream !== undefined && !from.stream.readableEnded;
}

/** A form body the strategy cannot read: other middleware read it without parsing it. */
export const bodyUnreadable = (): JwtSsoError =>
  new JwtSsoError(
    Code.BODY_UNREADABLE,
    'The sign-in form POST has a body the strategy cannot read: other middleware read it without parsing it as a form. Mount a form body parser (express.urlencoded(), @fastify/formbody, koa-bodyparser) before the callback route, or none.',
  );

// `{}` (or `[]`): what a parser for another type leaves. Never null here (see formPairs).
function isEmptyObject(x: NonNullable<unknown>): boolean {
  return typeof x === 'object' && !Buffer.isBuffer(x) && Object.keys(x).length === 0;
}

// Node's request, if nothing has read its body yet (no parser ran, or one that skipped it).
function unreadStream(stream: BodyStream | undefined): Readable | undefined {
  return stream !== undefined && stream.readableDidRead === false && !stream.readableEnded ? stream : undefined;
}

// What a body parser made of the form: a string or bytes (a text/raw parser), or an object
// whose values are strings, or arrays of strings for a parameter sent more than once. A `read`
// parameter that is not one string is refused (one-element arrays included: `jwt[]=…` is not
// `jwt=…`); any other parameter's non-string value becomes an empty value, which no rule reads.
function pairsOf(body: NonNullable<unknown>, read: readonly string[]): QueryPair[] {
  if (typeof body === 'string') return splitQuery(body);
  if (Buffer.isBuffer(body)) return splitQuery(decode(body));
  if (typeof body !== 'object') throw malformed('its body is not a form');
  const pairs: QueryPair[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string' && read.includes(key)) throw notOneString(key);
    for (const one of Array.isArray(value) ? (value as unknown[]) : [value]) {
      const text = typeof one === 'string' ? one : '';
      // `raw` is what stripParams keeps of a query; a body is never written back into a URL.
      // Stryker disable next-line StringLiteral: raw is never read for a form's pairs
      pairs.push({ key, value: text, raw: `${encodeURIComponent(key)}=${encodeURIComponent(text)}` });
    }
  }
  return pairs;
}

function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed('its body is not UTF-8');
  }
}

// Reads at most MAX_FORM_BYTES: a larger Content-Length is refused unread, and a chunked body
// that grows past the bound is left unread from there (Node discards the rest).
function readBody(stream: Readable, headers: FormSource['headers']): Promise<string> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_FORM_BYTES) {
    return Promise.reject(malformed(`its body is larger than ${MAX_FORM_BYTES} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err: Error | null, text?: string): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (err !== null) {
        stream.pause();
        reject(err);
      } else resolve(text!);
    };
    const onData = (chunk: Buffer | string): void => {
      // Stryker disable next-line ConditionalExpression: Buffer.from(a Buffer) is a copy of the same bytes
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > MAX_FORM_BYTES) return done(malformed(`its body is larger than ${MAX_FORM_BYTES} bytes`));
      chunks.push(bytes);
    };
    const onEnd = (): void => {
      try {
        done(null, decode(Buffer.concat(chunks)));
      } catch (err) {
        done(err as Error);
      }
    };
    const onError = (err: Error): void => done(malformed(`its body could not be read (${err.message})`));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
