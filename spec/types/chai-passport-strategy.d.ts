// chai-passport-strategy ships no types; these are the parts the recipe test uses.
declare module 'chai-passport-strategy' {
  import type { Strategy } from 'passport-strategy';
  interface HarnessRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
    session?: Record<string, unknown>;
    user?: unknown;
  }
  interface Test {
    request(prepare: (req: HarnessRequest) => void): Test;
    success(cb: (user: unknown, info?: unknown) => void): Test;
    fail(cb: (challenge?: unknown, status?: number) => void): Test;
    redirect(cb: (url: string, status?: number) => void): Test;
    pass(cb: () => void): Test;
    error(cb: (err: Error) => void): Test;
    authenticate(options?: object): void;
  }
  interface Chai {
    passport?: { use(strategy: Strategy): Test };
  }
  function plugin(chai: Chai, utils?: unknown): void;
  export = plugin;
}
