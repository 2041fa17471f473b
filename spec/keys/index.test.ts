// Key sources beyond one shared secret, and the attacks on them, as tables.
import {
  createHmac,
  createPrivateKey,
  createSecretKey,
  generateKeyPairSync,
  sign,
  constants,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
  JwtSsoErrorCode as Code,
  JwtSsoStrategy,
  type JwtSsoStrategyBaseOptions,
  type JwtSsoStrategyOptions,
  type SecretOrKeyProvider,
  JwtSsoError,
  JwtSsoErrorCode,
} from '../../lib';
import { startApp, type TestApp } from '../helpers/app';
import { resolveOptions } from '../../lib/options';
import { verifyToken, type TokenPolicy, parseToken } from '../../lib/token';
import {
  providedKeys,
  type VerificationKey,
  isAsymmetricKeyMaterial,
  publicVerificationKeys,
  secretVerificationKey,
  toPublicKey,
  verifySignature,
} from '../../lib/keys';
import { keysOfJwks } from '../../lib/keys/jwks';
import { b64, NOW, NOW_MS, puavoClaims, SECRET, staticKeys } from '../helpers/tokens';
import { providerSource } from '../../lib/keys/provider';
import { errorOf } from '../helpers/errors';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed = generateKeyPairSync('ed25519');
const AUTH = 'https://sso.example/login';

/** Signs header.payload with a private key under a JWS algorithm, as a provider would. */
function signWith(alg: string, privateKey: KeyObject, claims: object, header: object = {}): string {
  const input = `${b64({ alg, ...header })}.${b64(claims)}`;
  const data = Buffer.from(input);
  let sig: Buffer;
  if (alg === 'RS256') sig = sign('sha256', data, privateKey);
  else if (alg === 'PS256') sig = sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  else if (alg === 'ES256') sig = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'ES384') sig = sign('sha384', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'EdDSA') sig = sign(null, data, privateKey);
  else throw new Error(alg);
  return `${input}.${sig.toString('base64url')}`;
}
const hmacWith = (secret: string | Buffer, claims: object, header: object = { alg: 'HS256' }) => {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

function policyOf(options: Partial<JwtSsoStrategyBaseOptions>): TokenPolicy {
  const o = resolveOptions({ authEndpoint: AUTH, ...options });
  return { ...o, keys: staticKeys(o.keySource) };
}
const claims = (extra: Record<string, unknown> = {}) => puavoClaims(NOW, extra);
const codeOf = (token: string, policy: TokenPolicy): string => {
  try {
    verifyToken(token, policy, NOW_MS);
    return 'accepted';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('publicKey: the algorithm follows from the key type', () => {
  test.each<[string, Partial<JwtSsoStrategyBaseOptions>, () => string]>([
    [
      'RSA PEM → RS256',
      { publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string },
      () => signWith('RS256', rsa.privateKey, claims()),
    ],
    [
      'RSA PKCS#1 PEM → RS256',
      { publicKey: rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string },
      () => signWith('RS256', rsa.privateKey, claims()),
    ],
    [
      'RSA KeyObject → RS256 by jsonwebtoken',
      { publicKey: rsa.publicKey },
      () => jwt.sign(claims(), rsa.privateKey, { algorithm: 'RS256' }),
    ],
    ['RSA JWK → RS256', { publicKey: rsa.publicKey.export({ format: 'jwk' }) }, () => signWith('RS256', rsa.privateKey, claims())],
    [
      'RSA with algorithms [PS256] → PS256',
      { publicKey: rsa.publicKey, algorithms: ['PS256'] },
      () => signWith('PS256', rsa.privateKey, claims()),
    ],
    ['EC P-256 → ES256', { publicKey: p256.publicKey }, () => signWith('ES256', p256.privateKey, claims())],
    ['EC P-384 → ES384', { publicKey: p384.publicKey }, () => signWith('ES384', p384.privateKey, claims())],
    ['Ed25519 → EdDSA (verified with node:crypto)', { publicKey: ed.publicKey }, () => signWith('EdDSA', ed.privateKey, claims())],
    [
      'two keys (rotation): the second one',
      { publicKey: [rsa2.publicKey, rsa.publicKey] },
      () => signWith('RS256', rsa.privateKey, claims()),
    ],
  ])('accepts %s', (_name, options, token) => {
    expect(codeOf(token(), policyOf(options))).toBe('accepted');
  });

  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const jwkText = JSON.stringify(rsa.publicKey.export({ format: 'jwk' }));
  const ecZero = `${b64({ alg: 'ES256' })}.${b64(claims())}.${Buffer.alloc(64).toString('base64url')}`;
  test.each<[string, Partial<JwtSsoStrategyBaseOptions>, () => string, Code]>([
    ['HS256 signed with the public PEM as secret', { publicKey: pem }, () => hmacWith(pem, claims()), Code.ALGORITHM_NOT_ALLOWED],
    [
      'HS256 signed with the PEM without its trailing newline',
      { publicKey: pem },
      () => hmacWith(pem.trimEnd(), claims()),
      Code.ALGORITHM_NOT_ALLOWED,
    ],
    ['HS256 signed with the PKCS#1 PEM', { publicKey: pkcs1 }, () => hmacWith(pkcs1, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['HS256 signed with the JWK text', { publicKey: rsa.publicKey }, () => hmacWith(jwkText, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['alg none', { publicKey: rsa.publicKey }, () => `${b64({ alg: 'none' })}.${b64(claims())}.${b64('x')}`, Code.ALGORITHM_NOT_ALLOWED],
    [
      'PS256 with an RSA key when algorithms does not list it',
      { publicKey: rsa.publicKey },
      () => signWith('PS256', rsa.privateKey, claims()),
      Code.ALGORITHM_NOT_ALLOWED,
    ],
    [
      'RS256 from another RSA key',
      { publicKey: rsa.publicKey },
      () => signWith('RS256', rsa2.privateKey, claims()),
      Code.SIGNATURE_INVALID,
    ],
    [
      'ES384 where the key is P-256',
      { publicKey: p256.publicKey },
      () => signWith('ES384', p384.privateKey, claims()),
      Code.ALGORITHM_NOT_ALLOWED,
    ],
    [
      'ES256 where the key is P-384',
      { publicKey: p384.publicKey },
      () => signWith('ES256', p256.privateKey, claims()),
      Code.ALGORITHM_NOT_ALLOWED,
    ],
    ['ECDSA all-zero signature', { publicKey: p256.publicKey }, () => ecZero, Code.SIGNATURE_INVALID],
    [
      'ECDSA signature of the wrong length (DER, not IEEE P1363)',
      { publicKey: p256.publicKey },
      () => {
        const input = `${b64({ alg: 'ES256' })}.${b64(claims())}`;
        return `${input}.${sign('sha256', Buffer.from(input), p256.privateKey).toString('base64url')}`;
      },
      Code.SIGNATURE_INVALID,
    ],
    [
      'EdDSA signature truncated',
      { publicKey: ed.publicKey },
      () => signWith('EdDSA', ed.privateKey, claims()).slice(0, -4),
      Code.SIGNATURE_INVALID,
    ],
    [
      'a tampered payload under RS256',
      { publicKey: rsa.publicKey },
      () => {
        const [h, , s] = signWith('RS256', rsa.privateKey, claims()).split('.');
        return `${h}.${b64(claims({ puavo_id: 1 }))}.${s}`;
      },
      Code.SIGNATURE_INVALID,
    ],
    [
      "a jwk header carrying the attacker's own key",
      { publicKey: rsa.publicKey },
      () => signWith('RS256', rsa2.privateKey, claims(), { jwk: rsa2.publicKey.export({ format: 'jwk' }) }),
      Code.SIGNATURE_INVALID,
    ],
    [
      'a kid naming a file',
      { publicKey: rsa.publicKey },
      () => signWith('RS256', rsa2.privateKey, claims(), { kid: '../../../../dev/null' }),
      Code.SIGNATURE_INVALID,
    ],
  ])('refuses %s', (_name, options, token, code) => {
    expect(codeOf(token(), policyOf(options))).toBe(code);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['a private KeyObject', { publicKey: rsa.privateKey }, '"publicKey"'],
    ['a private JWK', { publicKey: rsa.privateKey.export({ format: 'jwk' }) }, '"publicKey"'],
    ['garbage text', { publicKey: 'not a key' }, '"publicKey"'],
    ['a P-384 key where ES256 is configured', { publicKey: p384.publicKey, algorithms: ['ES256'] }, 'fits none'],
    ['an RSA key with algorithms [ES256]', { publicKey: rsa.publicKey, algorithms: ['ES256'] }, 'fits none'],
    ['an unknown algorithm', { publicKey: rsa.publicKey, algorithms: ['RS512'] }, '"algorithms"'],
    ['HS256 allowed for a public key is ignored, RS256 still needed', { publicKey: rsa.publicKey, algorithms: ['HS256'] }, 'fits none'],
    ['a PEM given as sharedSecret', { sharedSecret: rsa.publicKey.export({ type: 'spki', format: 'pem' }) }, 'PEM'],
    ['sharedSecret and publicKey together', { sharedSecret: SECRET, publicKey: rsa.publicKey }, 'exactly one'],
    ['no key source', {}, 'exactly one'],
    ['jwksUri and secretOrKeyProvider together', { jwksUri: 'https://a.example/jwks', secretOrKeyProvider: () => SECRET }, 'exactly one'],
    ['sharedSecret with algorithms [RS256]', { sharedSecret: SECRET, algorithms: ['RS256'] }, 'HS256'],
    ['a relative jwksUri', { jwksUri: '/jwks.json' }, '"jwksUri"'],
    [
      'a jwksUri with credentials in it',
      { jwksUri: 'https://u:S3cr3t@sso.example/jwks.json' },
      '"jwksUri" must be a URL without a user name',
    ],
    ['a jwksUri with a user name in it', { jwksUri: 'https://u@sso.example/jwks.json' }, '"jwksUri" must be a URL without a user name'],
    [
      'an authEndpoint with credentials in it',
      { sharedSecret: SECRET, authEndpoint: 'https://u:S3cr3t@sso.example/v3/sso' },
      '"authEndpoint"',
    ],
    [
      'a logoutEndpoint with credentials in it',
      { sharedSecret: SECRET, logoutEndpoint: 'https://u:p@sso.example/logout' },
      '"logoutEndpoint"',
    ],
    ['a zero jwksTimeout', { jwksUri: 'https://a.example/jwks', jwksTimeout: 0 }, '"jwksTimeout"'],
    ['a non-function secretOrKeyProvider', { secretOrKeyProvider: SECRET }, '"secretOrKeyProvider"'],
    ['an empty issuer', { sharedSecret: SECRET, issuer: '' }, '"issuer"'],
    ['a numeric audience', { sharedSecret: SECRET, audience: [1] }, '"audience"'],
    ['a servicePathPrefix without a slash', { sharedSecret: SECRET, servicePathPrefix: 'app' }, '"servicePathPrefix"'],
    ['a zero jwksMaxBytes', { jwksUri: 'https://a.example/jwks', jwksMaxBytes: 0 }, '"jwksMaxBytes"'],
    ['a negative jwksCooldown', { jwksUri: 'https://a.example/jwks', jwksCooldown: -1 }, '"jwksCooldown"'],
    ['an onEvent that is not a function', { sharedSecret: SECRET, onEvent: 'log' }, '"onEvent"'],
  ])('construction refuses %s', (_name, extra, message) => {
    expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, ...extra } as JwtSsoStrategyOptions)).toThrow(message);
  });

  test('the refusal of a URL with credentials does not repeat them', () => {
    let message = '';
    try {
      new JwtSsoStrategy({ authEndpoint: AUTH, jwksUri: 'https://u:S3cr3t@sso.example/jwks.json' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/"jwksUri"/);
    expect(message).not.toContain('S3cr3t');
  });
});

describe('claim policies', () => {
  const base = { sharedSecret: SECRET };
  test.each<[string, Partial<JwtSsoStrategyBaseOptions>, Record<string, unknown>, string]>([
    ['issuer matches', { issuer: 'https://sso.example' }, { iss: 'https://sso.example' }, 'accepted'],
    ['issuer from a list', { issuer: ['a', 'b'] }, { iss: 'b' }, 'accepted'],
    ['issuer missing', { issuer: 'a' }, {}, Code.CLAIM_MISSING],
    ['issuer differs', { issuer: 'a' }, { iss: 'evil' }, Code.CLAIM_INVALID],
    ['issuer not a string', { issuer: 'a' }, { iss: ['a'] }, Code.CLAIM_INVALID],
    ['audience in an array', { audience: 'app' }, { aud: ['other', 'app'] }, 'accepted'],
    ['audience missing', { audience: 'app' }, {}, Code.CLAIM_MISSING],
    ['audience differs', { audience: 'app' }, { aud: 'other' }, Code.CLAIM_INVALID],
    ['requiredClaims present', { requiredClaims: ['username', 'email'] }, {}, 'accepted'],
    ['requiredClaims null', { requiredClaims: ['learner_id'] }, {}, Code.CLAIM_MISSING],
    ['servicePathPrefix matches', { servicePathPrefix: '/' }, {}, 'accepted'],
    ['servicePathPrefix of another service', { servicePathPrefix: '/app' }, {}, Code.CLAIM_INVALID],
    ['servicePathPrefix missing', { servicePathPrefix: '/' }, { external_service_path_prefix: undefined }, Code.CLAIM_MISSING],
  ])('%s', (_name, options, extra, expected) => {
    expect(codeOf(hmacWith(SECRET, claims(extra)), policyOf({ ...base, ...options }))).toBe(expected);
  });
});

describe('what a secretOrKeyProvider returns follows the same rules', () => {
  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const algs = (keys: VerificationKey[]) => keys.map((k) => k.alg);
  test.each<[string, unknown, string[]]>([
    ['a string secret → HS256', SECRET, ['HS256']],
    ['a Buffer secret → HS256', Buffer.from(SECRET), ['HS256']],
    ['a PEM string → RS256, never HS256', pem, ['RS256']],
    ['a PEM Buffer → RS256, never HS256', Buffer.from(pem), ['RS256']],
    ['a public KeyObject → by type', p256.publicKey, ['ES256']],
    ['a JWK → by type', ed.publicKey.export({ format: 'jwk' }), ['EdDSA']],
    ['an array', [SECRET, p384.publicKey], ['HS256', 'ES384']],
  ])('%s', (_name, provided, expected) => {
    expect(algs(providedKeys(provided, undefined))).toEqual(expected);
  });

  test('algorithms narrows what a provider returns', () => {
    expect(algs(providedKeys([SECRET, rsa.publicKey], ['RS256']))).toEqual(['RS256']);
  });

  test('a private key from a provider is refused', () => {
    expect(() => providedKeys(createPrivateKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' })), undefined)).toThrow(TypeError);
  });
});

describe('secretOrKeyProvider: a multi-tenant Puavo app (two hosts, two secrets)', () => {
  const secrets: Record<string, string> = { 'school-a.example': 'secret-of-a', 'school-b.example': 'secret-of-b' };
  let app: TestApp;
  afterEach(() => app?.close());

  async function tenantApp(provider: SecretOrKeyProvider) {
    app = await startApp({ strategy: { sharedSecret: undefined, secretOrKeyProvider: provider, state: false } });
  }
  const byHost: SecretOrKeyProvider = (req) => {
    const secret = secrets[String(req.headers.host)];
    if (secret === undefined) throw new Error('unknown tenant');
    return secret;
  };
  async function attempt(host: string, token: string) {
    const browser = app.browser();
    const callback = await browser.get(`/checked?jwt=${token}`).set('Host', host);
    const res = await browser.get(callback.headers.location!).set('Host', host);
    return { status: res.status, code: (res.body as { code?: string }).code ?? null };
  }

  test.each<[string, string, string, number, string | null]>([
    ["school A's token on school A's host", 'school-a.example', 'secret-of-a', 200, null],
    ["school B's token on school B's host", 'school-b.example', 'secret-of-b', 200, null],
    ["school A's token on school B's host", 'school-b.example', 'secret-of-a', 401, Code.SIGNATURE_INVALID],
    ['a token for an unknown host: the provider throws', 'school-c.example', 'secret-of-a', 500, Code.KEY_SOURCE_FAILED],
  ])('%s', async (_name, host, secret, status, code) => {
    await tenantApp(byHost);
    const res = await attempt(host, hmacWith(secret, puavoClaims()));
    expect(res.status).toBe(status);
    if (code !== null) expect(res.code).toBe(code);
  });

  test('the provider sees the unverified header and payload, e.g. to pick by organisation_domain', async () => {
    const seen: unknown[] = [];
    await tenantApp(async (_req, header, payload) => {
      seen.push([header.alg, payload.organisation_domain]);
      return 'secret-of-a';
    });
    expect((await attempt('school-a.example', hmacWith('secret-of-a', puavoClaims()))).status).toBe(200);
    expect(seen).toEqual([['HS256', 'example.opinsys.fi']]);
  });

  test('a provider that returns the public key\'s PEM as "secret" cannot be tricked into HS256', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    await tenantApp(() => pem);
    const res = await attempt('school-a.example', hmacWith(pem, puavoClaims()));
    expect(res).toEqual({ status: 401, code: Code.ALGORITHM_NOT_ALLOWED });
  });
});

describe('keysOfJwks: what a JWKS may contribute', () => {
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const algsOf = (jwks: object) => keysOfJwks(jwks, undefined).map((k) => `${k.kid}:${k.alg}`);
  test.each<[string, object[], string[]]>([
    ['an RSA key: RS256', [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r' }], ['r:RS256']],
    [
      'an RSA key whose alg says PS256, which algorithms does not list: nothing',
      [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r', alg: 'PS256' }],
      [],
    ],
    ['an RSA key whose alg says HS256: nothing', [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r', alg: 'HS256' }], []],
    ['a P-521 key (no algorithm here): nothing', [{ ...p521.publicKey.export({ format: 'jwk' }), kid: 'p' }], []],
    [
      'a JWK that cannot be read: skipped, the rest kept',
      [
        { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'bad' },
        { ...p256.publicKey.export({ format: 'jwk' }), kid: 'e' },
      ],
      ['e:ES256'],
    ],
    ['junk entries', [null as unknown as object, 'x' as unknown as object, 42 as unknown as object], []],
  ])('%s', (_name, keys, expected) => {
    expect(algsOf({ keys })).toEqual(expected);
  });
});

describe('asymmetric key material is never an HMAC secret, in any form or place', () => {
  const spkiPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const spkiDer = rsa.publicKey.export({ type: 'spki', format: 'der' });
  const pkcs1Der = rsa.publicKey.export({ type: 'pkcs1', format: 'der' });
  const ecDer = p256.publicKey.export({ type: 'spki', format: 'der' });
  // What `openssl pkcs12 -nokeys` and `openssl x509 -text` write before the armour.
  const preamble =
    'Bag Attributes\n    localKeyID: 01 00 00 00\n    friendlyName: sso-signing\nsubject=/CN=sso.example.org\nissuer=/CN=Example CA\n' +
    'x'.repeat(40) +
    '\n';
  const OPENSSH_BLOB = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
  const bareBase64 = spkiPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const hostile: [string, string | Buffer][] = [
    ['PEM read as a Buffer with an openssl preamble over 64 bytes', Buffer.from(preamble + spkiPem)],
    ['the same as a string', preamble + spkiPem],
    ['PEM after 10 KiB of text', Buffer.from('#'.repeat(10_240) + '\n' + spkiPem)],
    ['PEM with CRLF line ends', spkiPem.replace(/\n/g, '\r\n')],
    ['a certificate PEM', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
    ['SPKI DER', spkiDer],
    ['PKCS#1 DER', pkcs1Der],
    ['EC SPKI DER', ecDer],
    ['a private key in PKCS#8 DER', rsa.privateKey.export({ type: 'pkcs8', format: 'der' })],
    ['a private key in SEC1 DER', p256.privateKey.export({ type: 'sec1', format: 'der' })],
    ['the base64 body of the PEM without its armour', bareBase64],
    ['the same body, wrapped at 64 columns', bareBase64.replace(/(.{64})/g, '$1\n')],
    ['JWK JSON text', JSON.stringify(rsa.publicKey.export({ format: 'jwk' }))],
    ['JWKS JSON text', JSON.stringify({ keys: [ed.publicKey.export({ format: 'jwk' })] })],
    ['an OpenSSH public key', `ssh-ed25519 ${OPENSSH_BLOB} sso@example`],
    // Found by a hostile review: the usual ways a public key is stored in an environment variable.
    ['the base64 of the PEM (a *_B64 variable)', Buffer.from(spkiPem).toString('base64')],
    ['the base64 of the base64 of the PEM', Buffer.from(Buffer.from(spkiPem).toString('base64')).toString('base64')],
    ['the hex of the PEM', Buffer.from(spkiPem).toString('hex')],
    ['hex DER', spkiDer.toString('hex')],
    ['base64url DER', spkiDer.toString('base64url')],
    ['a JSON array of JWKs', JSON.stringify([rsa.publicKey.export({ format: 'jwk' })])],
    ['a JWKS nested in another object', JSON.stringify({ jwks: { keys: [rsa.publicKey.export({ format: 'jwk' })] } })],
    ['a JWK after a byte-order mark', '\ufeff' + JSON.stringify(rsa.publicKey.export({ format: 'jwk' }))],
    ['a JWK after a prefix', 'jwk=' + JSON.stringify(rsa.publicKey.export({ format: 'jwk' }))],
    ['an authorized_keys line with options', `from="10.0.0.1",no-pty ssh-ed25519 ${OPENSSH_BLOB} sso@example`],
    ['the bare OpenSSH key blob', OPENSSH_BLOB],
    ['an RFC 4716 SSH2 public key', `---- BEGIN SSH2 PUBLIC KEY ----\nComment: "sso"\n${OPENSSH_BLOB}\n---- END SSH2 PUBLIC KEY ----\n`],
    ['the PEM in UTF-16LE', Buffer.from(spkiPem, 'utf16le')],
    ['the PEM in UTF-16BE', Buffer.from(spkiPem, 'utf16le').swap16()],
    ['the PEM with lower-case armour', spkiPem.replace(/PUBLIC KEY/g, 'public key').replace(/BEGIN|END/g, (w) => w.toLowerCase())],
    // Found by a second hostile review: the wrappings config and env files give a value.
    ['base64 DER in double quotes (docker --env-file keeps them)', `"${spkiDer.toString('base64')}"`],
    ['base64 DER in single quotes', `'${spkiDer.toString('base64')}'`],
    ['the PEM body with literal \\n between its lines', bareBase64.replace(/(.{64})/g, '$1\\n')],
    ['the whole PEM with literal \\n (a JSON string value)', spkiPem.replace(/\n/g, '\\n')],
    ['0x-prefixed hex DER', `0x${spkiDer.toString('hex')}`],
    ['colon-separated hex DER', spkiDer.toString('hex').replace(/(..)(?!$)/g, '$1:')],
    ['JWK JSON with a \\u-escaped "kty"', JSON.stringify(rsa.publicKey.export({ format: 'jwk' })).replace('"kty"', '"\\u006bty"')],
    ['%-encoded JWK JSON', encodeURIComponent(JSON.stringify(rsa.publicKey.export({ format: 'jwk' })))],
    ['base64 DER followed by a stray character', `${spkiDer.toString('base64')}.`],
    ['base64 DER after a variable name', `SSO_KEY=${spkiDer.toString('base64')}`],
    [
      'the PEM four encodings deep',
      Buffer.from(Buffer.from(Buffer.from(Buffer.from(spkiPem).toString('base64')).toString('hex')).toString('base64')).toString('hex'),
    ],
  ];
  test.each(hostile)('sharedSecret refuses %s at construction', (_name, material) => {
    expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: material })).toThrow(/asymmetric key or certificate/);
  });
  test.each(hostile)('sharedSecret refuses %s beside a good secret in a rotation array', (_name, material) => {
    expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: [SECRET, material] })).toThrow(/"sharedSecret"/);
  });
  test.each(hostile)('a secret KeyObject holding %s is refused', (_name, material) => {
    const key = createSecretKey(typeof material === 'string' ? Buffer.from(material) : material);
    expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: key })).toThrow(/asymmetric key or certificate/);
  });
  test.each(hostile)('secretOrKeyProvider never makes %s an HS256 key', (_name, material) => {
    let keys: VerificationKey[] = [];
    try {
      keys = providedKeys([SECRET, material], undefined);
    } catch (err) {
      expect(err).toBeInstanceOf(TypeError); // unreadable as a public key: refused outright
      return;
    }
    expect(keys.filter((k) => k.alg === 'HS256')).toHaveLength(1); // the good secret only
  });
  test.each<[string, string | Buffer]>([
    ['a random 32-byte secret', Buffer.from('30a1b2c3d4e5f60718293a4b5c6d7e8f9fa0b1c2d3e4f5061728394a5b6c7d8e', 'hex')],
    ['a secret that starts with "MI" and is base64', 'MIsecretsecretsecretsecretsecret0='],
    ['a secret that mentions BEGIN', 'BEGIN-the-secret-of-the-organisation'],
    ['a JSON secret that is not a key', '{"secret":"of the organisation"}'],
    ['a secret starting with "0" (0x30, the DER sequence byte)', '0123456789abcdef0123456789abcdef'],
    ['a base64 secret (openssl rand -base64 32)', 'q3N5mR0xQ2p8cYb1T4vZ7wK9eH6sL2uA0fG5jD8iM1o='],
    ['a hex secret (openssl rand -hex 32)', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    ['a base64url secret', 'Zm9vYmFyLXRoZS1zZWNyZXQtb2YtdGhlLXNlcnZpY2U'],
    ['a UTF-16 secret', Buffer.from('the secret of the service', 'utf16le')],
    ['a quoted secret', '"the quoted secret of the service"'],
    ['a secret with %-escapes and backslashes', 'p%40ss\\w0rd%2Fof\\nthe%20service'],
    [
      'a long random base64 secret with a prefix (openssl rand -base64 64)',
      `key=${Buffer.from('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a089f86d081884c7d659a2feaa0c55ad015', 'hex').toString('base64')}`,
    ],
    ['colon-separated random hex', '9f:86:d0:81:88:4c:7d:65:9a:2f:ea:a0:c5:5a:d0:15:a3:bf:4f:1b'],
  ])('control: %s is still a secret', (_name, secret) => {
    const policy = policyOf({ sharedSecret: secret });
    expect(codeOf(hmacWith(secret, claims()), policy)).toBe('accepted');
    expect(algsOf(providedKeys(secret, undefined))).toEqual(['HS256']);
  });
  test('DER public keys and certificates given as publicKey or by a provider verify as their type', () => {
    expect(algsOf(providedKeys(spkiDer, undefined))).toEqual(['RS256']);
    expect(algsOf(providedKeys(pkcs1Der, undefined))).toEqual(['RS256']);
    expect(algsOf(providedKeys(ecDer, undefined))).toEqual(['ES256']);
    expect(codeOf(signWith('RS256', rsa.privateKey, claims()), policyOf({ publicKey: spkiDer }))).toBe('accepted');
  });

  describe('end to end: a token forged with the public key as HMAC secret never signs in', () => {
    let app: TestApp;
    afterEach(() => app?.close());
    const forged = () => hmacWith(Buffer.from(preamble + spkiPem), puavoClaims(undefined, { username: 'admin' }));
    test.each<[string, () => unknown, number]>([
      ['the preamble PEM alone', () => Buffer.from(preamble + spkiPem), 401],
      ['the preamble PEM in a rotation beside a good secret', () => [SECRET, Buffer.from(preamble + spkiPem)], 200],
    ])('secretOrKeyProvider returning %s', async (_name, provided, goodStatus) => {
      app = await startApp({ strategy: { sharedSecret: undefined, secretOrKeyProvider: () => provided() as string, state: false } });
      const browser = app.browser();
      const callback = await browser.get(`/checked?jwt=${forged()}`);
      const res = await browser.get(callback.headers.location!);
      expect(res.status).toBe(401);
      expect([Code.ALGORITHM_NOT_ALLOWED, Code.SIGNATURE_INVALID]).toContain((res.body as { code?: string }).code);
      // control: the good secret signs in where the provider returns it
      const good = await browser.get(`/checked?jwt=${hmacWith(SECRET, puavoClaims())}`);
      expect((await browser.get(good.headers.location!)).status).toBe(goodStatus);
    });
  });
});
const algsOf = (keys: VerificationKey[]) => keys.map((k) => k.alg);

// The rules of lib/keys.ts, each at the input that decides it: every key type and the one
// algorithm it gets, every form of key material that is never a secret (and the look-alikes that
// still are), every refusal naming the option and its cause.
describe('key types, key material and refusals at the input that decides each', () => {
  const AUTH = 'https://sso.example/login';
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const ed25519 = generateKeyPairSync('ed25519');
  const ed448 = generateKeyPairSync('ed448');
  const x25519 = generateKeyPairSync('x25519');

  // A self-signed P-256 certificate (CN=sso.example), as `openssl req -x509` writes it.
  const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBhDCCASmgAwIBAgIUVizCygXtE/GRzGbO22e339By808wCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLc3NvLmV4YW1wbGUwIBcNMjYxMTI5MjMxNzQ1WhgPMjEyNjEx
MDUyMzE3NDVaMBYxFDASBgNVBAMMC3Nzby5leGFtcGxlMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAE+l6HODp4lZnS0Onl9fbsk5de2hTsvOYroMUDbjqyi+C80D7/
ldeB3goBUUvT9dePaX8BQZLs9d7haMdsGh0gf6NTMFEwHQYDVR0OBBYEFOor8Hrp
17FLr+kFn663A9F8HuDQMB8GA1UdIwQYMBaAFOor8Hrp17FLr+kFn663A9F8HuDQ
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAPK3fWXuancGt0e9
ISYSyTRnPGe2jc7IdXO7xeaaAXh5AiEAxd+ZNIZkMlGfFqPV5HG5Id4j0U/T9nSV
v+xmFWSfocw=
-----END CERTIFICATE-----
`;
  const cert = new X509Certificate(CERT_PEM);

  const algs = (keys: readonly { alg: string }[]) => keys.map((k) => k.alg);

  describe('each key type gets the algorithms of its type, and no other', () => {
    test.each([
      ['RSA', rsa.publicKey, ['RS256']],
      ['RSA-PSS', rsaPss.publicKey, ['PS256']],
      ['EC P-256', p256.publicKey, ['ES256']],
      ['EC P-384', p384.publicKey, ['ES384']],
      ['EC P-521 (no algorithm here)', p521.publicKey, []],
      ['Ed25519', ed25519.publicKey, ['EdDSA']],
      ['Ed448 (no algorithm here)', ed448.publicKey, []],
      ['X25519 (not a signing key)', x25519.publicKey, []],
    ])('%s', (_name, key, expected) => {
      expect(algs(publicVerificationKeys(key, undefined))).toEqual(expected);
    });

    test('an RSA key verifies PS256 only when algorithms lists it', () => {
      expect(algs(publicVerificationKeys(rsa.publicKey, ['RS256', 'PS256']))).toEqual(['RS256', 'PS256']);
      expect(algs(publicVerificationKeys(rsa.publicKey, ['PS256']))).toEqual(['PS256']);
    });

    test('algorithms narrows, never widens: a P-256 key under ["RS256"] has no algorithm', () => {
      expect(publicVerificationKeys(p256.publicKey, ['RS256'])).toEqual([]);
    });

    test('a kid given with the key is kept on each of its keys; none given, none made up', () => {
      expect(publicVerificationKeys(rsa.publicKey, ['RS256', 'PS256'], 'k1').map((k) => k.kid)).toEqual(['k1', 'k1']);
      expect(publicVerificationKeys(rsa.publicKey, undefined)[0]).not.toHaveProperty('kid');
    });
  });

  describe('a certificate or a key in any DER form node:crypto reads is key material', () => {
    test.each([
      ['an RSA private key in PKCS#1 DER', rsa.privateKey.export({ type: 'pkcs1', format: 'der' })],
      ['an X.509 certificate in DER', cert.raw],
      ['the base64 body of a certificate PEM', CERT_PEM.replace(/-----[^-]+-----/g, '')],
    ])('%s is never a secret', (_name, material) => {
      expect(isAsymmetricKeyMaterial(material)).toBe(true);
      expect(() => secretVerificationKey(material, 'sharedSecret')).toThrow(/"sharedSecret" holds an asymmetric key/);
    });

    test('a certificate in DER is read as its public key, by its type', () => {
      const keys = providedKeys(cert.raw, undefined);
      expect(algs(keys)).toEqual(['ES256']);
      expect(keys[0]!.key.equals(cert.publicKey)).toBe(true);
      expect(toPublicKey(cert.raw, 'publicKey').equals(cert.publicKey)).toBe(true);
    });

    test('a Uint8Array view into a larger buffer is judged by its own bytes', () => {
      const der = rsa.publicKey.export({ type: 'spki', format: 'der' });
      const backing = Buffer.concat([Buffer.from('secret-secret-secret'), der, Buffer.from('tail')]);
      const view = new Uint8Array(backing.buffer, backing.byteOffset + 20, der.length);
      expect(isAsymmetricKeyMaterial(view)).toBe(true);
      // control: a view onto only the secret part of the same buffer is a secret
      expect(isAsymmetricKeyMaterial(new Uint8Array(backing.buffer, backing.byteOffset, 20))).toBe(false);
    });
  });

  describe('OpenSSH public keys of every type are key material (a key type name anywhere counts: fail closed)', () => {
    const body = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    test.each([
      `ssh-rsa ${body}`,
      `ssh-dss ${body}`,
      `ssh-ed25519 ${body}`,
      `ecdsa-sha2-nistp256 ${body}`,
      `ecdsa-sha2-nistp384 ${body}`,
      `sk-ssh-ed25519@openssh.com ${body}`,
      `sk-ecdsa-sha2-nistp256@openssh.com ${body}`,
      `  \n ssh-ed25519 ${body} sso@example`,
      `ssh-rsa\t\t${body}`,
    ])('%j', (line) => {
      expect(isAsymmetricKeyMaterial(line)).toBe(true);
    });

    test.each([
      `ssh-rsa${body}`, // no space: not a key line
    ])('control: %j is a secret', (text) => {
      expect(isAsymmetricKeyMaterial(text)).toBe(false);
    });
  });

  describe('PEM and RFC 4716 armour anywhere in the text is key material (fail closed)', () => {
    test.each([
      ['a one-character label', '-----BEGIN X-----'],
      ['a 64-character label', `-----BEGIN ${'K'.repeat(64)}-----`],
    ])('%s is key material', (_name, text) => {
      expect(isAsymmetricKeyMaterial(`x ${text} y`)).toBe(true);
    });

    test.each([
      ['dashes without BEGIN', '----- not armour -----'],
      ['BEGIN without dashes', 'BEGIN PUBLIC KEY'],
    ])('control: %s is not armour', (_name, text) => {
      expect(isAsymmetricKeyMaterial(text)).toBe(false);
    });
  });

  describe('JWK text is key material once it parses as an object with "kty" or "keys"', () => {
    test.each(['  \n{"kty":"oct","k":"c2VjcmV0"}', '{"keys":[{"kty":"EC"}]}', '{"kty": broken', 'prefix {"kty":"RSA"}'])('%j', (text) => {
      expect(isAsymmetricKeyMaterial(text)).toBe(true);
    });
    test.each(['{"kid":"x"}', '["kty"]', '{"keys":[]}'])('control: %j is a secret', (text) => {
      expect(isAsymmetricKeyMaterial(text)).toBe(false);
    });
  });

  describe('a refused key names the option and why', () => {
    test('a private KeyObject as a public key: the option and "private"', () => {
      const err = errorOf(() => toPublicKey(rsa.privateKey, 'publicKey'));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/"publicKey" must be a public key; a private KeyObject/);
    });

    test('a secret KeyObject as a public key: the option and "secret"', () => {
      expect(errorOf(() => toPublicKey(createSecretKey(Buffer.from(SECRET)), 'secretOrKeyProvider')).message).toMatch(
        /"secretOrKeyProvider" must be a public key; a secret KeyObject/,
      );
    });

    test('a private JWK: says a private JWK was given', () => {
      const err = errorOf(() => toPublicKey(rsa.privateKey.export({ format: 'jwk' }), 'publicKey'));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/"publicKey".*a private JWK was given/);
    });

    test.each([
      ['PEM text that is not a key', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'],
      ['a JWK with bad coordinates', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }],
      ['DER bytes that are no key', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00])],
    ])('%s: says it could not be read', (_name, input) => {
      const err = errorOf(() => toPublicKey(input, 'publicKey'));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/"publicKey".*it could not be read/);
    });

    test('a JWK that throws a TypeError of its own while read: "could not be read", never "a private JWK"', () => {
      const hostile = {
        kty: 'RSA',
        get d(): never {
          throw new TypeError('not readable');
        },
      };
      expect(errorOf(() => toPublicKey(hostile as never, 'publicKey')).message).toMatch(/"publicKey".*it could not be read\.$/);
    });

    test.each([
      ['a number', 42],
      ['null', null],
      ['an object with no kty', { n: 'x', e: 'AQAB' }],
    ])('%s: names the forms a public key may take', (_name, input) => {
      const err = errorOf(() => toPublicKey(input as never, 'publicKey'));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/"publicKey" must be a public key \(PEM, KeyObject or JWK\)\.$/);
    });

    test.each([
      ['a public KeyObject', rsa.publicKey],
      ['an empty secret KeyObject', createSecretKey(Buffer.alloc(0))],
    ])('%s as a secret: asks for a non-empty secret KeyObject', (_name, key) => {
      const err = errorOf(() => secretVerificationKey(key, 'sharedSecret'));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/"sharedSecret" must be a non-empty secret KeyObject/);
    });

    test.each([
      ['an empty string', ''],
      ['an empty Buffer', Buffer.alloc(0)],
      ['a number', 42],
    ])('%s as a secret: asks for a non-empty string or Buffer', (_name, secret) => {
      const err = errorOf(() => secretVerificationKey(secret as never, 'sharedSecret'));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/"sharedSecret" must be a non-empty string or Buffer/);
    });

    test('key material as a secret: names the option and where a public key goes', () => {
      const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const err = errorOf(() => new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: pem }));
      expect(err.message).toMatch(/"sharedSecret" holds an asymmetric key/);
      expect(err.message).toMatch(/"publicKey"/);
    });

    test('control: a non-empty secret KeyObject is an HS256 key', () => {
      const key = createSecretKey(Buffer.from(SECRET));
      expect(secretVerificationKey(key, 'sharedSecret')).toEqual({ alg: 'HS256', key });
    });
  });

  describe('what a provider returns: secrets only where HS256 is allowed', () => {
    test('a secret under algorithms without HS256 gives no key; with HS256 it does', () => {
      expect(providedKeys(SECRET, ['RS256'])).toEqual([]);
      expect(algs(providedKeys(SECRET, ['HS256']))).toEqual(['HS256']);
      expect(algs(providedKeys([SECRET, rsa.publicKey], ['RS256']))).toEqual(['RS256']);
    });

    test('a secret KeyObject from a provider is a secret; a public one a public key', () => {
      expect(algs(providedKeys([createSecretKey(Buffer.from(SECRET)), ed25519.publicKey], undefined))).toEqual(['HS256', 'EdDSA']);
    });

    test('a provider error names the option "secretOrKeyProvider"', () => {
      expect(() => providedKeys(rsa.privateKey, undefined)).toThrow(/"secretOrKeyProvider"/);
      expect(() => providedKeys('', undefined)).toThrow(/"secretOrKeyProvider" must be a non-empty string/);
      expect(() => providedKeys(undefined, undefined)).toThrow(/"secretOrKeyProvider" must be a public key \(PEM, KeyObject or JWK\)\.$/);
      expect(() => providedKeys(null, undefined)).toThrow(/"secretOrKeyProvider" must be a public key \(PEM, KeyObject or JWK\)\.$/);
    });
  });

  describe('verifySignature: a signature of the wrong length for its algorithm is false, never a throw', () => {
    test.each([
      ['HS256', () => secretVerificationKey(SECRET, 'sharedSecret'), 31],
      ['ES256', () => publicVerificationKeys(p256.publicKey, undefined)[0]!, 63],
      ['ES384', () => publicVerificationKeys(p384.publicKey, undefined)[0]!, 95],
      ['EdDSA', () => publicVerificationKeys(ed25519.publicKey, undefined)[0]!, 65],
      ['RS256', () => publicVerificationKeys(rsa.publicKey, undefined)[0]!, 255],
    ])('%s', (_name, key, length) => {
      expect(verifySignature(key(), 'a.b', Buffer.alloc(length))).toBe(false);
    });
  });

  test('a key that cannot verify under its algorithm is false, never a throw', () => {
    // Keys are bound to their algorithm when made; this is the guard should one ever be made wrong.
    expect(verifySignature({ alg: 'RS256', key: createSecretKey(Buffer.from(SECRET)) }, 'a.b', Buffer.alloc(256))).toBe(false);
  });

  describe('every algorithm this package verifies may be listed in "algorithms"', () => {
    test.each([
      ['PS256', { publicKey: rsa.publicKey }],
      ['ES384', { publicKey: p384.publicKey }],
      ['EdDSA', { publicKey: ed25519.publicKey }],
    ] as const)('%s', (alg, source) => {
      expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, ...source, algorithms: [alg] })).not.toThrow();
    });

    test('an algorithm it does not verify is refused, and the message lists all eight', () => {
      const err = errorOf(() => new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: SECRET, algorithms: ['RS512' as never] }));
      expect(err.message).toMatch(/"algorithms"/);
      for (const alg of ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) expect(err.message).toContain(alg);
    });
  });

  describe('what the key options say when they are wrong (each message names the option and what it wants)', () => {
    test.each<[string, object, RegExp]>([
      [
        'sharedSecret: []',
        { sharedSecret: [] },
        /^JwtSsoStrategy: option "sharedSecret" must be a non-empty string or Buffer, or a non-empty array of them\.$/,
      ],
      [
        "sharedSecret: '' (an unset variable read with ?? '')",
        { sharedSecret: '' },
        /"sharedSecret" must be a non-empty string or Buffer, or an array of them \(it is empty: is the environment variable it is read from, e\.g\. SSO_SECRET, set\?\)\.$/,
      ],
      [
        'sharedSecret: [secret, undefined] (a rotation whose second variable is unset)',
        { sharedSecret: [SECRET, undefined] },
        /"sharedSecret" must be a non-empty string or Buffer, or an array of them \(it is empty: is the environment variable/,
      ],
      [
        'sharedSecret: 5 (not empty: no hint about variables)',
        { sharedSecret: 5 },
        /"sharedSecret" must be a non-empty string or Buffer, or an array of them\.$/,
      ],
      [
        'secretOrKeyProvider: a string',
        { secretOrKeyProvider: 'secret' },
        /^JwtSsoStrategy: option "secretOrKeyProvider" must be a function \(req, header, payload\), got a string\.$/,
      ],
    ])('%s', (_name, options, message) => {
      expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, ...options } as never)).toThrow(message);
    });

    test('a public KeyObject where a secret is wanted is named as not a secret KeyObject', () => {
      expect(() => secretVerificationKey(rsa.publicKey, 'sharedSecret')).toThrow(
        /^JwtSsoStrategy: option "sharedSecret" must be a non-empty secret KeyObject \(createSecretKey\)\.$/,
      );
    });

    test("a provider that returns two HMAC algorithms' worth of algorithms names the option", () => {
      expect(() => providedKeys(SECRET, ['HS256', 'HS384', 'HS512'])).toThrow(
        /for "secretOrKeyProvider": .* Name only the algorithm the provider signs with, e\.g\. algorithms: \['HS512'\]\.$/,
      );
    });
  });

  test("a JwtSsoError a key provider throws is the refusal itself, not wrapped as the key source's fault", async () => {
    const own = new JwtSsoError(JwtSsoErrorCode.SIGNATURE_INVALID, 'no key for this tenant');
    const source = providerSource({ secretOrKeyProvider: () => Promise.reject(own) }, { algorithms: undefined, clock: Date.now });
    const token = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.c2ln`;
    await expect(source.keysFor({} as never, parseToken(token))).rejects.toBe(own);
    // Control: any other error is the key source's fault, with the error as its cause.
    const failing = providerSource(
      { secretOrKeyProvider: () => Promise.reject(new Error('db down')) },
      { algorithms: undefined, clock: Date.now },
    );
    await expect(failing.keysFor({} as never, parseToken(token))).rejects.toMatchObject({ code: JwtSsoErrorCode.KEY_SOURCE_FAILED });
  });
});

describe('exactly one key source option is given: none, several, or an unset one is a TypeError naming them', () => {
  const ALL = '"sharedSecret", "publicKey", "jwksUri", "secretOrKeyProvider"';
  test.each<[string, Record<string, unknown>, string, string]>([
    ['none', {}, 'sharedSecret, publicKey, jwksUri, secretOrKeyProvider', `JwtSsoStrategy: give exactly one of the options ${ALL}.`],
    [
      'two',
      { publicKey: rsa.publicKey, sharedSecret: SECRET },
      'sharedSecret, publicKey',
      `JwtSsoStrategy: give exactly one of the options ${ALL}, not "sharedSecret" and "publicKey".`,
    ],
    [
      'three',
      { secretOrKeyProvider: () => SECRET, jwksUri: 'https://sso.example/jwks.json', sharedSecret: SECRET },
      'sharedSecret, jwksUri, secretOrKeyProvider',
      `JwtSsoStrategy: give exactly one of the options ${ALL}, not "sharedSecret" and "jwksUri" and "secretOrKeyProvider".`,
    ],
    [
      'one present but undefined (an unset environment variable)',
      { sharedSecret: undefined },
      'sharedSecret',
      'JwtSsoStrategy: option "sharedSecret" is undefined: is the environment variable it is read from (e.g. SSO_SECRET) set?',
    ],
    [
      'two present but undefined: the first of the list is named',
      { jwksUri: undefined, publicKey: undefined },
      'publicKey',
      'JwtSsoStrategy: option "publicKey" is undefined: is the environment variable it is read from (e.g. SSO_SECRET) set?',
    ],
  ])('%s', (_name, keys, option, message) => {
    const err = errorOf<JwtSsoError & { option: string }>(() => new JwtSsoStrategy({ authEndpoint: AUTH, ...keys } as never));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe(Code.INVALID_OPTION);
    expect(err.option).toBe(option);
    expect(err.message).toBe(message);
  });

  test.each<[string, Record<string, unknown>]>([
    ['one', { sharedSecret: SECRET }],
    ['one beside an unset one', { sharedSecret: undefined, publicKey: rsa.publicKey }],
  ])('control: %s constructs', (_name, keys) => {
    expect(new JwtSsoStrategy({ authEndpoint: AUTH, ...keys } as never).name).toBe('jwtsso');
  });
});
