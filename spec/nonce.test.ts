// lib/nonce.ts: the nonce of a login is the SHA-256 of its state (base64url), and a token's
// nonce claim is checked against it, every refusal a NONCE_MISMATCH naming the claim.
import { createHash } from 'node:crypto';
import { JwtSsoError, JwtSsoErrorCode as Code } from '../lib';
import { checkNonce, nonceFor } from '../lib/nonce';

const state = 'S'.repeat(32);

test('the nonce is base64url(SHA-256("passport-jwtsso nonce\\n" + state)): 43 characters, one per state', () => {
  expect(nonceFor(state)).toBe(createHash('sha256').update(`passport-jwtsso nonce\n${state}`).digest('base64url'));
  expect(nonceFor(state)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(nonceFor('T'.repeat(32))).not.toBe(nonceFor(state));
});

test('control: the nonce of the state passes', () => {
  expect(() => checkNonce(nonceFor(state), state)).not.toThrow();
});

const refusal = (claim: unknown): JwtSsoError => {
  try {
    checkNonce(claim, state);
  } catch (err) {
    return err as JwtSsoError;
  }
  throw new Error('checkNonce accepted it');
};

test.each<[string, unknown, RegExp]>([
  ['absent', undefined, /has no "nonce" claim \(a string\)/],
  ['a number', 42, /has no "nonce" claim \(a string\)/],
  ['an array holding the right nonce', [nonceFor(state)], /has no "nonce" claim \(a string\)/],
  ['another login’s', nonceFor('T'.repeat(32)), /is not the one sent with the sign-in this browser started/],
  ['shorter', 'abc', /is not the one sent with the sign-in this browser started/],
  ['longer (the right one with more)', `${nonceFor(state)}x`, /is not the one sent with the sign-in this browser started/],
  ['the state itself', state, /is not the one sent with the sign-in this browser started/],
  ['empty', '', /is not the one sent with the sign-in this browser started/],
])('refused: a nonce claim %s', (_name, claim, message) => {
  const err = refusal(claim);
  expect(err).toBeInstanceOf(JwtSsoError);
  expect({ code: err.code, status: err.status, claim: err.claim }).toEqual({ code: Code.NONCE_MISMATCH, status: 403, claim: 'nonce' });
  expect(err.message).toMatch(message);
  expect(err.message).not.toContain(nonceFor(state));
});
