// The package as users get it: `npm pack`, installed into an empty project, loaded both ways.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const INSTALL_TIMEOUT_MS = 180_000;
let dir: string;
let files: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jwtsso-pack-'));
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed!.files.map((f) => f.path).sort();
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, packed!.filename)], {
    cwd: dir,
    stdio: 'ignore',
  });
}, INSTALL_TIMEOUT_MS);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('contains dist with declarations, and no tests or sources', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'dist/index.js',
      'dist/index.d.ts',
      'dist/strategy.d.ts',
      'dist/dev-provider.js',
      'dist/dev-provider.d.ts',
      'dist/compat.js',
      'dist/compat.d.ts',
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
    ]),
  );
  expect(files.filter((f) => !/^(dist\/.*\.(js|d\.ts)|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/.test(f))).toEqual([]);
});

const probe = `
  const strategy = new m.JwtSsoStrategy({ authEndpoint: 'https://sso.example/v3/sso', sharedSecret: 's' });
  console.log(JSON.stringify({ name: strategy.name, exports: Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort(), store: typeof m.MemoryReplayStore }));
`;
const expected = {
  name: 'jwtsso',
  exports: ['JwtSsoError', 'JwtSsoErrorCode', 'JwtSsoStrategy', 'MemoryReplayStore', 'RedisReplayStore', 'Strategy'],
  store: 'function',
};

test('loads with require', () => {
  const out = execFileSync('node', ['-e', `const m = require('passport-jwtsso'); ${probe}`], { cwd: dir, encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual(expected);
});

test('loads with import, named exports included', () => {
  const out = execFileSync(
    'node',
    [
      '--input-type=module',
      '-e',
      `import * as m from 'passport-jwtsso'; import { JwtSsoStrategy } from 'passport-jwtsso'; if (JwtSsoStrategy !== m.JwtSsoStrategy) throw new Error('named export'); ${probe}`,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  expect(JSON.parse(out)).toEqual(expected);
});

test('the dev-provider entry loads both ways', () => {
  const probeDev = `console.log(typeof m.createDevProvider + ' ' + m.DEFAULT_DEV_USERS.length)`;
  expect(
    execFileSync('node', ['-e', `const m = require('passport-jwtsso/dev-provider'); ${probeDev}`], { cwd: dir, encoding: 'utf8' }).trim(),
  ).toBe('function 3');
  expect(
    execFileSync('node', ['--input-type=module', '-e', `import * as m from 'passport-jwtsso/dev-provider'; ${probeDev}`], {
      cwd: dir,
      encoding: 'utf8',
    }).trim(),
  ).toBe('function 3');
});

test('the compat entry is the jwtsso function itself, both ways', () => {
  const probeCompat = `console.log(typeof m + ' ' + typeof m({ authEndpoint: 'https://sso.example/', sharedSecret: 's' }))`;
  expect(
    execFileSync('node', ['-e', `const m = require('passport-jwtsso/compat'); ${probeCompat}`], { cwd: dir, encoding: 'utf8' }).trim(),
  ).toBe('function function');
  expect(
    execFileSync('node', ['--input-type=module', '-e', `import m from 'passport-jwtsso/compat'; ${probeCompat}`], {
      cwd: dir,
      encoding: 'utf8',
    }).trim(),
  ).toBe('function function');
});
