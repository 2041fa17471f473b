// The reference tables of the guides, generated from the code so that they cannot disagree with it:
// the option tables of docs/configuration.md from the TSDoc of lib/options/types.ts and the values
// of lib/options/defaults.ts, the error table of docs/troubleshooting.md from the TSDoc of
// lib/errors.ts and the status each code carries. Each table sits between two markers,
// `<!-- generated: NAME -->` and `<!-- end generated: NAME -->`; everything else in those pages is
// written by hand. `npm run docs:tables` rewrites them; spec/docs-tables.test.ts fails when a page
// is not what this script would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { JwtSsoError, JwtSsoErrorCode } from '../lib/errors';
import { DEFAULTS } from '../lib/options/defaults';

const root = join(__dirname, '..');
export const OPTIONS_FILE = join(root, 'lib', 'options', 'types.ts');
export const ERRORS_FILE = join(root, 'lib', 'errors.ts');
export const CONFIGURATION_PAGE = join(root, 'docs', 'configuration.md');
export const ERRORS_PAGE = join(root, 'docs', 'troubleshooting.md');

/**
 * The groups of docs/configuration.md, in order, and the options each holds. Every option of
 * `JwtSsoStrategyOptions` is in exactly one group (the test checks it), so a new option has to be
 * given a place before the page builds.
 */
export const OPTION_GROUPS: readonly { name: string; options: readonly string[] }[] = [
  {
    name: 'provider-and-keys',
    options: [
      'authEndpoint',
      'sharedSecret',
      'publicKey',
      'jwksUri',
      'jwksTimeout',
      'jwksCooldown',
      'jwksCacheMaxAge',
      'jwksMaxBytes',
      'secretOrKeyProvider',
      'algorithms',
    ],
  },
  {
    name: 'token-checks',
    options: ['issuer', 'audience', 'audienceRequired', 'requiredClaims', 'servicePathPrefix', 'maxAge', 'clockTolerance'],
  },
  { name: 'replay', options: ['replayStore', 'replayKey', 'numericJti'] },
  { name: 'public-url', options: ['name', 'mountPoint', 'host', 'scheme'] },
  { name: 'login-state', options: ['state', 'stateMaxAge', 'loginState', 'nonce', 'nonceParam'] },
  {
    name: 'provider-shape',
    options: ['tokenParam', 'returnToParam', 'stateParam', 'stateIn', 'callbackPath', 'callbackParam', 'responseMode', 'authParams'],
  },
  { name: 'sign-out', options: ['logoutEndpoint', 'logoutRedirectParam'] },
  { name: 'hooks', options: ['passReqToCallback', 'clock', 'onEvent'] },
];

export interface DocumentedMember {
  name: string;
  doc: string;
}

/** A doc comment as one line of Markdown: `{@link X}` as code, line breaks as spaces, pipes escaped. */
export function oneLine(text: string): string {
  return text
    .replace(/\{@link\s+([^}\s|]+)(?:\s*\|\s*([^}]+))?\s*\}/g, (_m, target: string, label?: string) => `\`${label ?? target}\``)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function program(file: string): { checker: ts.TypeChecker; source: ts.SourceFile } {
  const prog = ts.createProgram([file], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, strict: true, noEmit: true });
  return { checker: prog.getTypeChecker(), source: prog.getSourceFile(file)! };
}

/** The members of the strategy's options (both verify forms), each with its doc comment. */
export function optionDocs(): DocumentedMember[] {
  const { checker, source } = program(OPTIONS_FILE);
  const members = new Map<string, string>();
  const read = (name: string) => {
    const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (decl === undefined) throw new Error(`lib/options/types.ts has no interface ${name}`);
    for (const member of decl.members) {
      const symbol = member.name === undefined ? undefined : checker.getSymbolAtLocation(member.name);
      if (symbol === undefined || members.has(symbol.name)) continue;
      members.set(symbol.name, oneLine(ts.displayPartsToString(symbol.getDocumentationComment(checker))));
    }
  };
  read('JwtSsoStrategyBaseOptions');
  read('JwtSsoStrategyOptions');
  return [...members].map(([name, doc]) => ({ name, doc }));
}

/** The codes of `JwtSsoErrorCode`, in their order in lib/errors.ts, each with its doc comment. */
export function errorDocs(): DocumentedMember[] {
  const { checker, source } = program(ERRORS_FILE);
  const statement = source.statements.find(
    (s): s is ts.VariableStatement =>
      ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === 'JwtSsoErrorCode'),
  );
  let init = statement?.declarationList.declarations[0]?.initializer;
  if (init !== undefined && ts.isAsExpression(init)) init = init.expression;
  if (init === undefined || !ts.isObjectLiteralExpression(init)) throw new Error('lib/errors.ts: JwtSsoErrorCode is not an object literal');
  return init.properties.map((p) => {
    const symbol = checker.getSymbolAtLocation(p.name!)!;
    return { name: symbol.name, doc: oneLine(ts.displayPartsToString(symbol.getDocumentationComment(checker))) };
  });
}

/** A default as the code a user would write. */
function literal(value: unknown): string {
  if (typeof value === 'string') return `\`'${value}'\``;
  if (typeof value === 'number') return `\`${value}\``;
  return `\`${String(value)}\``;
}

export function optionTable(group: string, docs: readonly DocumentedMember[] = optionDocs()): string {
  const names = OPTION_GROUPS.find((g) => g.name === group)?.options;
  if (names === undefined) throw new Error(`no option group ${group}`);
  const defaults: Readonly<Record<string, unknown>> = DEFAULTS;
  const rows = names.map((name) => {
    const member = docs.find((d) => d.name === name);
    if (member === undefined) throw new Error(`option ${name} is not in lib/options/types.ts`);
    const byDefault = name in defaults ? literal(defaults[name]) : '—';
    return `| \`${name}\` | ${byDefault} | ${member.doc} |`;
  });
  return ['| option | default | what it does (from its doc comment) |', '| --- | --- | --- |', ...rows].join('\n');
}

export function errorTable(docs: readonly DocumentedMember[] = errorDocs()): string {
  const codes: Readonly<Record<string, string>> = JwtSsoErrorCode;
  const rows = docs.map(({ name, doc }) => {
    const code = codes[name] as JwtSsoErrorCode;
    const { status } = new JwtSsoError(code, '');
    return `| \`${code}\` | ${status} | ${status >= 500 ? 'fault: `error()`' : 'refusal: `fail()`'} | ${doc} |`;
  });
  return ['| code | status | Passport action | when (from its doc comment) |', '| --- | ---: | --- | --- |', ...rows].join('\n');
}

const marker = (name: string) => ({ begin: `<!-- generated: ${name} -->`, end: `<!-- end generated: ${name} -->` });

/** The page with every generated block replaced by `tables[name]`; throws on a block it has no table for. */
export function fillPage(page: string, tables: Readonly<Record<string, string>>): string {
  return page.replace(/<!-- generated: ([a-z-]+) -->\n[\s\S]*?<!-- end generated: \1 -->/g, (_block, name: string) => {
    const table = tables[name];
    if (table === undefined) throw new Error(`no generated table named ${name}`);
    const { begin, end } = marker(name);
    return `${begin}\n${table}\n${end}`;
  });
}

/** What each page would hold, generated: `{ file: text }`. */
export function generatedPages(): Record<string, string> {
  const docs = optionDocs();
  const optionTables = Object.fromEntries(OPTION_GROUPS.map((g) => [`options-${g.name}`, optionTable(g.name, docs)]));
  return {
    [CONFIGURATION_PAGE]: fillPage(readFileSync(CONFIGURATION_PAGE, 'utf8'), optionTables),
    [ERRORS_PAGE]: fillPage(readFileSync(ERRORS_PAGE, 'utf8'), { errors: errorTable() }),
  };
}

if (require.main === module) {
  for (const [file, text] of Object.entries(generatedPages())) writeFileSync(file, text);
}
