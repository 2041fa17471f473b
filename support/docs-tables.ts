// The reference tables of the guides, generated from the code so that they cannot disagree with it:
// the option tables of docs/configuration.md from the TSDoc of lib/options/types.ts (one table per
// group of named option interfaces) and the values
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
 * The groups of docs/configuration.md, in order, each the named option interfaces of
 * lib/options/types.ts it shows (their members in the order they are declared). Every interface
 * the options are composed of is in exactly one group (the test checks it), so an option added to
 * an interface finds its table, and a new interface has to be given a place before the page builds.
 */
export const OPTION_GROUPS: readonly { name: string; interfaces: readonly string[] }[] = [
  { name: 'provider-and-keys', interfaces: ['ProviderOptions', 'KeySources', 'KeyOptions'] },
  { name: 'token-checks', interfaces: ['TokenRuleOptions'] },
  { name: 'replay', interfaces: ['ReplayOptions'] },
  { name: 'public-url', interfaces: ['AppOptions'] },
  { name: 'login-state', interfaces: ['LoginStateOptions'] },
  { name: 'provider-shape', interfaces: ['ProviderShapeOptions'] },
  { name: 'sign-out', interfaces: ['LogoutOptions'] },
  { name: 'hooks', interfaces: ['WithoutRequestOptions', 'HookOptions'] },
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

const programs = new Map<string, { checker: ts.TypeChecker; source: ts.SourceFile }>();

// One program per file and run: building one reads most of lib/ and its types.
function program(file: string): { checker: ts.TypeChecker; source: ts.SourceFile } {
  let found = programs.get(file);
  if (found === undefined) {
    const prog = ts.createProgram([file], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, strict: true, noEmit: true });
    found = { checker: prog.getTypeChecker(), source: prog.getSourceFile(file)! };
    programs.set(file, found);
  }
  return found;
}

function interfaceOf(source: ts.SourceFile, name: string): ts.InterfaceDeclaration {
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (decl === undefined) throw new Error(`lib/options/types.ts has no interface ${name}`);
  return decl;
}

const documented = (checker: ts.TypeChecker, symbol: ts.Symbol): DocumentedMember => ({
  name: symbol.name,
  doc: oneLine(ts.displayPartsToString(symbol.getDocumentationComment(checker))),
});

/**
 * Every option of the strategy (both verify forms), each with its doc comment: the members of
 * `JwtSsoStrategyBaseOptions` (every group and every key source) and `passReqToCallback`.
 */
export function optionDocs(): DocumentedMember[] {
  const { checker, source } = program(OPTIONS_FILE);
  const members = new Map<string, DocumentedMember>();
  for (const name of ['JwtSsoStrategyBaseOptions', 'WithoutRequestOptions']) {
    const type = checker.getTypeAtLocation(interfaceOf(source, name).name);
    for (const symbol of checker.getPropertiesOfType(type))
      if (!members.has(symbol.name)) members.set(symbol.name, documented(checker, symbol));
  }
  return [...members.values()];
}

/** Each group of the configuration guide with the options its interfaces declare, in order. */
export function optionGroups(): { name: string; options: string[] }[] {
  const { checker, source } = program(OPTIONS_FILE);
  return OPTION_GROUPS.map(({ name, interfaces }) => ({
    name,
    options: interfaces.flatMap((i) =>
      interfaceOf(source, i).members.map((m) => {
        const symbol = m.name === undefined ? undefined : checker.getSymbolAtLocation(m.name);
        if (symbol === undefined) throw new Error(`${i} has a member without a name`);
        return symbol.name;
      }),
    ),
  }));
}

/** The interfaces `JwtSsoStrategyBaseOptions` is composed of, as far down as they go, and `WithoutRequestOptions`. */
export function optionInterfaces(): string[] {
  const { source } = program(OPTIONS_FILE);
  const found: string[] = [];
  const walk = (name: string) => {
    const parents = interfaceOf(source, name).heritageClauses?.flatMap((h) => h.types.map((t) => t.expression.getText(source))) ?? [];
    if (parents.length === 0) found.push(name);
    parents.forEach(walk);
  };
  walk('JwtSsoStrategyBaseOptions');
  return [...found, 'WithoutRequestOptions'];
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

export function optionTable(
  group: string,
  docs: readonly DocumentedMember[] = optionDocs(),
  groups: readonly { name: string; options: readonly string[] }[] = optionGroups(),
): string {
  const names = groups.find((g) => g.name === group)?.options;
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
    // An option error is thrown by the constructor, before there is a request to answer.
    if (code === JwtSsoErrorCode.INVALID_OPTION) return `| \`${code}\` | — | thrown at construction (a \`TypeError\`) | ${doc} |`;
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
  const groups = optionGroups();
  const optionTables = Object.fromEntries(groups.map((g) => [`options-${g.name}`, optionTable(g.name, docs, groups)]));
  return {
    [CONFIGURATION_PAGE]: fillPage(readFileSync(CONFIGURATION_PAGE, 'utf8'), optionTables),
    [ERRORS_PAGE]: fillPage(readFileSync(ERRORS_PAGE, 'utf8'), { errors: errorTable() }),
  };
}

if (require.main === module) {
  for (const [file, text] of Object.entries(generatedPages())) writeFileSync(file, text);
}
