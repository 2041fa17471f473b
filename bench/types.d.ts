// jwtsso 1.0.1 (the original, a bench-only dev dependency) ships no types.
declare module 'jwtsso' {
  import type { RequestHandler } from 'express';
  function jwtsso(options: { authEndpoint: string; sharedSecret: string; mountPoint?: string; maxAge?: number }): RequestHandler;
  export = jwtsso;
}
