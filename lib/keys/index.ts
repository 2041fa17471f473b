// Key sources: the one option of four that is given decides the source, once, at construction.
// A new key source is one new file (a KeySourceFactory), one line in KEY_SOURCES and one member
// of KeySources in lib/options/types.ts (its doc comment, and the union's new arm).
import { JwtSsoOptionError } from '../errors';
import type { KeySources } from '../options/types';
import { jwksUriSource } from './jwks-uri';
import { providerSource } from './provider';
import { publicKeySource } from './public-key';
import { sharedSecretSource } from './shared-secret';
import type { KeySource, KeySourceContext, KeySourceFactory } from './source';

const KEY_SOURCES = {
  sharedSecret: sharedSecretSource,
  publicKey: publicKeySource,
  jwksUri: jwksUriSource,
  secretOrKeyProvider: providerSource,
} as const satisfies Record<keyof KeySources, KeySourceFactory>; // a key source added to the union without a factory does not compile

/** The options that name a key source; exactly one must be given. */
export const KEY_SOURCE_OPTIONS = Object.keys(KEY_SOURCES) as readonly (keyof typeof KEY_SOURCES)[];

/** The key source the options name; a JwtSsoOptionError (a TypeError) unless exactly one is given and it is good. */
export function resolveKeySource(o: Readonly<Record<string, unknown>>, context: KeySourceContext): KeySource {
  const given = KEY_SOURCE_OPTIONS.filter((k) => o[k] !== undefined);
  const names = KEY_SOURCE_OPTIONS.map((k) => `"${k}"`).join(', ');
  if (given.length === 0) {
    // `sharedSecret: process.env.SSO_SECRET` with the variable unset: say so, not "give one of".
    // None is given, so a key source option that is present is one that is undefined.
    const undefinedOne = KEY_SOURCE_OPTIONS.find((k) => Object.hasOwn(o, k));
    if (undefinedOne !== undefined) {
      throw new JwtSsoOptionError(
        undefinedOne,
        `JwtSsoStrategy: option "${undefinedOne}" is undefined: is the environment variable it is read from (e.g. SSO_SECRET) set?`,
      );
    }
    throw new JwtSsoOptionError(KEY_SOURCE_OPTIONS.join(', '), `JwtSsoStrategy: give exactly one of the options ${names}.`);
  }
  if (given.length > 1) {
    throw new JwtSsoOptionError(
      given.join(', '),
      `JwtSsoStrategy: give exactly one of the options ${names}, not ${given.map((k) => `"${k}"`).join(' and ')}.`,
    );
  }
  return KEY_SOURCES[given[0]!](o, context);
}

export type { KeySource } from './source';
export * from './material';
export { isAsymmetricKeyMaterial } from './detector';
export { verifySignature } from './signature';
