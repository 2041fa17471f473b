import { addTokenToReturnUrl } from '../../lib/dev-provider';
import type request from 'supertest';
import { mint, puavoClaims } from './tokens';

/**
 * The path the provider sends the browser back to: return_to with the token added the way Puavo
 * adds it (the dev provider's implementation, which has its own table of cases).
 */
export function providerReturn(returnTo: string, token: string, param = 'jwt'): string {
  const url = new URL(addTokenToReturnUrl(new URL(returnTo), param, token));
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The `return_to` of a redirect to the provider. */
export function returnToOf(location: string | undefined, param = 'return_to'): string {
  if (location === undefined) throw new Error('no Location header');
  const value = new URL(location).searchParams.get(param);
  if (value === null) throw new Error(`no ${param} in ${location}`);
  return value;
}

export interface LoginSteps {
  toProvider: request.Response;
  callback: request.Response;
  final: request.Response;
  token: string;
  returnTo: string;
}

/** The whole round trip in one browser: protected page, provider, callback, clean URL. */
export async function login(browser: request.Agent, path = '/protected', claims = puavoClaims()): Promise<LoginSteps> {
  const toProvider = await browser.get(path);
  if (toProvider.status !== 302) throw new Error(`expected a redirect to the provider, got ${toProvider.status}`);
  const returnTo = returnToOf(toProvider.headers.location);
  const token = mint(claims);
  const callback = await browser.get(providerReturn(returnTo, token));
  const final = callback.status === 303 ? await browser.get(callback.headers.location!) : callback;
  return { toProvider, callback, final, token, returnTo };
}
