// The package as users get it: `npm pack`, installed into an empty project, loaded both ways.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

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
      'dist/dev-provider/index.js',
      'dist/dev-provider/index.d.ts',
      'dist/compat.js',
      'dist/compat.d.ts',
      'dist/testing.js',
      'dist/testing.d.ts',
      'dist/fastify.js',
      'dist/fastify.d.ts',
      'dist/nest.js',
      'dist/nest.d.ts',
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
    ]),
  );
  expect(files.filter((f) => !/^(dist\/.*\.(js|d\.ts)|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/.test(f))).toEqual([]);
});

// Node 23+ adds a 'module.exports' name to the ESM namespace of every CommonJS module: Node's, not ours.
const probe = `
  const strategy = new m.JwtSsoStrategy({ authEndpoint: 'https://sso.example/v3/sso', sharedSecret: 's' });
  console.log(JSON.stringify({ name: strategy.name, exports: Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule' && k !== 'module.exports').sort(), store: typeof m.MemoryReplayStore }));
`;
const expected = {
  name: 'jwtsso',
  exports: [
    'JwtSsoError',
    'JwtSsoErrorCode',
    'JwtSsoOptionError',
    'JwtSsoStrategy',
    'MemoryReplayStore',
    'RedisReplayStore',
    'Strategy',
    'presets',
  ],
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

test('the testing entry loads both ways', () => {
  const probeTesting = `console.log([typeof m.signIn, typeof m.startDevProvider, typeof m.mintToken].join(' '))`;
  for (const args of [
    ['-e', `const m = require('passport-jwtsso/testing'); ${probeTesting}`],
    ['--input-type=module', '-e', `import * as m from 'passport-jwtsso/testing'; ${probeTesting}`],
  ]) {
    expect(execFileSync('node', args, { cwd: dir, encoding: 'utf8' }).trim()).toBe('function function function');
  }
});

// jsonwebtoken is a devDependency (tests, interop, benchmarks): the dev provider mints with node:crypto.
test('an app installs only the runtime dependencies, and the testing entry mints a verifiable token without jsonwebtoken', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(Object.keys(pkg.dependencies).sort()).toEqual(['debug', 'passport-strategy']);
  expect(readdirSync(join(dir, 'node_modules'))).not.toContain('jsonwebtoken');
  const mintAndVerify = `
    const { mintToken } = require('passport-jwtsso/testing');
    const { JwtSsoStrategy } = require('passport-jwtsso');
    const token = mintToken({ sharedSecret: 'test-secret' });
    const s = new JwtSsoStrategy({ authEndpoint: 'https://sso.example/v3/sso', sharedSecret: 'test-secret' }, (u, done) => done(null, u));
    console.log(token.split('.').length + ' ' + Buffer.from(token.split('.')[0], 'base64url').toString() + ' ' + typeof s.authenticate);`;
  expect(execFileSync('node', ['-e', mintAndVerify], { cwd: dir, encoding: 'utf8' }).trim()).toBe('3 {"alg":"HS256"} function');
});

// What lib/ imports by bare name is what an installed app has: a runtime or optional peer dependency.
test('every package lib/ imports is a dependency or a peer dependency', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const imported = new Set<string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else if (entry.name.endsWith('.ts')) {
        // Comments aside: a doc comment's example may require the package itself.
        const text = readFileSync(join(d, entry.name), 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(?:\/\/|\*|\/\*)/.test(line))
          .join('\n');
        // Type-only imports vanish from the built code; import('x') in a type position too.
        for (const m of text.matchAll(/^import (?!type )[^;]*?from '([^'.][^']*)';/gm)) imported.add(m[1]!);
        for (const m of text.matchAll(/require\('([^'.][^']*)'\)/g)) imported.add(m[1]!);
      }
    }
  };
  walk(join(root, 'lib'));
  const packages = [...imported]
    .filter((n) => !n.startsWith('node:'))
    .map((n) => (n.startsWith('@') ? n.split('/').slice(0, 2).join('/') : n.split('/')[0]!));
  expect(packages.filter((n) => !declared.has(n))).toEqual([]);
  expect(packages).toContain('passport-strategy'); // the scan reads imports at all
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
  // And as a named export, both ways: the same function.
  const named = `console.log(String(m === n))`;
  const run = (args: string[]) => execFileSync('node', args, { cwd: dir, encoding: 'utf8' }).trim();
  expect(run(['-e', `const m = require('passport-jwtsso/compat'); const { jwtsso: n } = m; ${named}`])).toBe('true');
  expect(run(['--input-type=module', '-e', `import m, { jwtsso as n } from 'passport-jwtsso/compat'; ${named}`])).toBe('true');
});

test('the fastify and nest entries load both ways, without Fastify or Nest installed', () => {
  const probe = `console.log([typeof f.jwtssoFastify, typeof f.linkReply, typeof n.JwtSsoGuard].join(' '))`;
  const run = (args: string[]) => execFileSync('node', args, { cwd: dir, encoding: 'utf8' }).trim();
  expect(run(['-e', `const f = require('passport-jwtsso/fastify'); const n = require('passport-jwtsso/nest'); ${probe}`])).toBe(
    'function function function',
  );
  expect(
    run(['--input-type=module', '-e', `import * as f from 'passport-jwtsso/fastify'; import * as n from 'passport-jwtsso/nest'; ${probe}`]),
  ).toBe('function function function');
});

test('a TypeScript app type-checks against the packed declarations, from CommonJS and from ESM, without skipLibCheck', () => {
  // The consumer's own @types (express, passport…) are this repository's, linked in.
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  for (const name of [
    'express',
    'express-serve-static-core',
    'express-session',
    'passport',
    'passport-strategy',
    'node',
    'serve-static',
    'qs',
    'range-parser',
    'send',
    'mime',
    'body-parser',
    'connect',
    'http-errors',
  ]) {
    try {
      symlinkSync(join(root, 'node_modules', '@types', name), join(dir, 'node_modules', '@types', name), 'dir');
    } catch {
      // not every @types package exists at every version; tsc names what is missing
    }
  }
  const app = `
    import { JwtSsoStrategy, JwtSsoError, MemoryReplayStore, RedisReplayStore, type PuavoClaims, type JwtSsoEvent } from 'passport-jwtsso';
    import { createDevProvider } from 'passport-jwtsso/dev-provider';
    import jwtsso from 'passport-jwtsso/compat';
    import { jwtssoFastify, linkReply } from 'passport-jwtsso/fastify';
    import { JwtSsoGuard } from 'passport-jwtsso/nest';
    class FakeAuthGuard {
      canActivate(): Promise<boolean> { return Promise.resolve(true); }
      handleRequest(err: unknown, user: unknown): unknown { return err ?? user; }
    }
    class Guard extends JwtSsoGuard(FakeAuthGuard) {}
    const strategy = new JwtSsoStrategy<PuavoClaims>(
      { authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: 's', replayStore: new MemoryReplayStore(), onEvent: (e: JwtSsoEvent) => void e.type },
      (claims, done) => done(null, { id: claims.puavo_id }),
    );
    const name: string = strategy.name;
    const code: string = new JwtSsoError('ERR_JWTSSO_TOKEN_TOO_OLD', 'm').code;
    const provider = createDevProvider({ sharedSecret: 's' });
    const middleware = jwtsso({ authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: 's', hook: (_c, done) => done() });
    const same: typeof jwtsso.jwtsso = jwtsso.jwtsso;
    void [name, code, provider, middleware, RedisReplayStore, same, jwtssoFastify, linkReply, Guard];
    // PuavoClaims is closed: a misspelt claim is an error (and this line fails if it is not).
    new JwtSsoStrategy<PuavoClaims>({ authEndpoint: 'https://a.example/', sharedSecret: 's' }, (claims, done) => {
      // @ts-expect-error -- no puavoId in PuavoClaims
      void claims.puavoId;
      done(null, { id: claims.puavo_id });
    });
    // The User type parameter checks what verify hands Passport.
    new JwtSsoStrategy<PuavoClaims, { name: string }>({ authEndpoint: 'https://a.example/', sharedSecret: 's' }, (claims, done) => {
      // @ts-expect-error -- not the User type
      done(null, { id: claims.puavo_id });
    });
    // compat's augmentations: res.requestJwt() and req.session.jwt, typed.
    import type { Request, Response } from 'express';
    const useCompat = (req: Request, res: Response): number | undefined => {
      if (req.session.jwt === undefined) res.requestJwt('/after');
      return req.session.jwt?.iat;
    };
    void useCompat;
  `;
  writeFileSync(
    join(dir, 'app.cts'),
    app.replace("import jwtsso from 'passport-jwtsso/compat';", "import jwtsso = require('passport-jwtsso/compat');"),
  );
  writeFileSync(join(dir, 'app.mts'), app);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const flags = [
    '--noEmit',
    '--strict',
    '--module',
    'node16',
    '--moduleResolution',
    'node16',
    '--target',
    'es2022',
    '--types',
    'node',
    '--esModuleInterop',
  ];
  // tsc prints its errors on stdout: an empty output and exit 0 mean the types hold.
  const run = (file: string) => spawnSync(process.execPath, [tsc, ...flags, file], { cwd: dir, encoding: 'utf8' });
  for (const file of ['app.cts', 'app.mts']) {
    const result = run(file);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  }
}, 60_000);

// Every ```ts block of README.md and of the guides (docs/*.md), compiled with --strict against the
// packed package, each as a module of its own (its imports and top-level await as printed), all in
// one program (the README's `declare global` of Express.User serves every block, as it would in an
// app); then again with the checks `tsc --init` turns on for a new project (exactOptionalPropertyTypes,
// noUncheckedIndexedAccess, verbatimModuleSyntax…), read from what this TypeScript's `tsc --init`
// writes. A block preceded by `<!-- not compiled: reason -->` is left out; the reasons are listed so
// that a reader sees them.
const documentedPages = (): string[] => [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

function tsBlocks(page: string): { file: string; code: string }[] {
  const text = readFileSync(join(root, page), 'utf8');
  const blocks: { file: string; code: string }[] = [];
  for (const match of text.matchAll(/(<!-- not compiled: [^>]*-->\n)?```ts\n([\s\S]*?)```/g)) {
    if (match[1] !== undefined) continue;
    const line = text.slice(0, match.index).split('\n').length + 1;
    blocks.push({ file: `${page.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-line-${line}.ts`.toLowerCase(), code: match[2]! });
  }
  return blocks;
}

test("every TypeScript block of the README and the guides compiles with --strict, and with tsc --init's checks, against the packed package", () => {
  const blocks = documentedPages().flatMap(tsBlocks);
  expect(blocks.filter((b) => b.file.startsWith('readme-')).length).toBeGreaterThanOrEqual(2);
  expect(blocks.length).toBeGreaterThanOrEqual(20);
  // The packages the snippets import, as an app would have them installed: this repository's.
  for (const name of ['express', 'express-session', 'passport', 'ioredis', 'redis', 'supertest']) {
    try {
      symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
    } catch {
      // linked already
    }
  }
  for (const name of ['supertest', 'superagent', 'cookiejar', 'methods']) {
    try {
      symlinkSync(join(root, 'node_modules', '@types', name), join(dir, 'node_modules', '@types', name), 'dir');
    } catch {
      // linked already, or not at this version
    }
  }
  const files = blocks.map((b) => {
    writeFileSync(join(dir, b.file), b.code);
    return b.file;
  });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const flags = [
    '--noEmit',
    '--strict',
    '--module',
    'preserve',
    '--moduleResolution',
    'bundler',
    '--moduleDetection',
    'force',
    '--target',
    'es2022',
    '--types',
    'node',
    '--esModuleInterop',
    '--skipLibCheck',
  ];
  // An error names <page>-line-N.ts(l,c): the block starting at line N of that page, its line l.
  for (const extra of [[], initChecks()]) {
    const result = spawnSync(process.execPath, [tsc, ...flags, ...extra, ...files], { cwd: dir, encoding: 'utf8' });
    expect({ flags: extra, errors: result.stdout }).toEqual({ flags: extra, errors: '' });
    expect(result.status).toBe(0);
  }
}, 180_000);

// The tsconfig `tsc --init` writes for a new project, as this TypeScript writes it.
function initConfig(): { compilerOptions: Record<string, unknown> } {
  const at = mkdtempSync(join(tmpdir(), 'jwtsso-tsc-init-'));
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--init'], { cwd: at, stdio: 'ignore' });
    const read = ts.readConfigFile(join(at, 'tsconfig.json'), (f) => readFileSync(f, 'utf8'));
    if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
    return read.config as { compilerOptions: Record<string, unknown> };
  } finally {
    rmSync(at, { recursive: true, force: true });
  }
}

// The type-checking switches a new project has on (each `true` flag but those about output), as
// command-line flags; module and resolution stay the snippets' own (ES modules, top-level await).
const CHECKS = /^(strict|exactOptionalPropertyTypes|noUnchecked\w+|verbatimModuleSyntax|isolatedModules|no[A-Z]\w+)$/;
function initChecks(): string[] {
  const checks = Object.entries(initConfig().compilerOptions)
    .filter(([name, value]) => value === true && CHECKS.test(name))
    .map(([name]) => `--${name}`);
  // What this test is for: if tsc --init stops writing these, say so rather than pass quietly.
  expect(checks).toEqual(expect.arrayContaining(['--exactOptionalPropertyTypes', '--noUncheckedIndexedAccess', '--verbatimModuleSyntax']));
  return checks;
}

// A new project as `tsc --init` starts it (its tsconfig, unchanged; ES modules, which its
// `module: nodenext` with `verbatimModuleSyntax` expects of `import` lines), with the packed
// package and the app's own packages installed: the README's `## Use` block compiles as printed.
test("a new project made by tsc --init compiles the README's Use block unchanged", () => {
  const project = join(dir, 'fresh-project');
  mkdirSync(project, { recursive: true });
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--init'], { cwd: project, stdio: 'ignore' });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh-project', private: true, type: 'module' }));
  // The app's own packages, as it would have them installed: this repository's (found by walking up).
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  for (const name of [
    'express',
    'express-session',
    'passport',
    ...readdirSync(join(root, 'node_modules', '@types')).map((t) => `@types/${t}`),
  ]) {
    try {
      symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
    } catch {
      // linked already
    }
  }
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const use = /^## Use\n[\s\S]*?^```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1];
  expect(use).toContain("from 'passport-jwtsso'");
  expect(use).toContain('sharedSecret: process.env.SSO_SECRET');
  writeFileSync(join(project, 'app.ts'), use!);
  const config = initConfig().compilerOptions;
  expect(config).toMatchObject({ exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', '.', '--noEmit'], { cwd: project, encoding: 'utf8' });
  expect(result.stdout).toBe('');
  expect(result.status).toBe(0);
}, 60_000);
