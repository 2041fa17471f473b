import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with an exact method, target, headers and body, as no HTTP client library would send them. */
export interface RawRequest {
  method?: string;
  target: string;
  headers?: Record<string, string>;
  /** Sent as it is; with `chunked`, in chunks of this many bytes (Transfer-Encoding: chunked, no Content-Length). */
  body?: string | Buffer;
  chunked?: number;
  /** Gives up (rejects with code 'ETIMEDOUT') when no answer has come by then. */
  timeoutMs?: number;
}

// Chunks written before the client lets the event loop turn: a body sent byte by byte must not
// block the loop the server shares with it in a test.
const CHUNKS_PER_TURN = 64;
// The largest response header section read (Node's default is 16 KiB): a test can see a response
// that is too large, rather than fail to parse it.
const MAX_RESPONSE_HEADER_BYTES = 1024 * 1024;

export function rawRequest(base: string, r: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  const headers = { ...r.headers };
  const body = r.body === undefined ? undefined : Buffer.from(r.body);
  if (body !== undefined && r.chunked === undefined) headers['Content-Length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request(
      // A connection of its own: the server may close one after a request it refused.
      {
        hostname,
        port,
        path: r.target,
        method: r.method ?? 'GET',
        headers,
        setHost: !('Host' in headers),
        agent: false,
        maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    if (r.timeoutMs !== undefined) {
      req.setTimeout(r.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${r.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    }
    if (body !== undefined && r.chunked !== undefined) {
      const size = r.chunked;
      const write = (from: number): void => {
        let at = from;
        for (let n = 0; n < CHUNKS_PER_TURN && at < body.length; n += 1, at += size) req.write(body.subarray(at, at + size));
        if (at < body.length) setImmediate(() => write(at));
        else req.end();
      };
      write(0);
      return;
    }
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A GET with an exact request target and headers, as no HTTP client library would send them. */
export function rawGet(base: string, target: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(base, { target, headers });
}
