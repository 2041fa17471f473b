// support/docs-tables.ts: the option and error tables of the guides are what the code's doc
// comments and defaults say, every option has one place in the configuration guide, and the
// comments' own "Default X" agrees with lib/options/defaults.ts.
import { readFileSync } from 'node:fs';
import { JwtSsoError, JwtSsoErrorCode } from '../lib/errors';
import { DEFAULTS } from '../lib/options/defaults';
import {
  CONFIGURATION_PAGE,
  ERRORS_PAGE,
  errorDocs,
  errorTable,
  fillPage,
  generatedPages,
  oneLine,
  OPTION_GROUPS,
  optionDocs,
  optionGroups,
  optionInterfaces,
  optionTable,
} from '../support/docs-tables';

const options = optionDocs();
const errors = errorDocs();
const pages = generatedPages();

describe('the generated pages', () => {
  test.each([CONFIGURATION_PAGE, ERRORS_PAGE])('%s is what npm run docs:tables writes (run it after changing a doc comment)', (page) => {
    expect(readFileSync(page, 'utf8')).toBe(pages[page]);
  });

  test('control: a page whose table was edited by hand differs from the generated one', () => {
    const page = readFileSync(ERRORS_PAGE, 'utf8');
    const edited = page.replace('| `ERR_JWTSSO_STATE_MISMATCH` | 403 |', '| `ERR_JWTSSO_STATE_MISMATCH` | 401 |');
    expect(edited).not.toBe(page);
    expect(fillPage(edited, { errors: errorTable(errors) })).toBe(page);
  });

  test('every group of the configuration guide has its generated block', () => {
    const page = readFileSync(CONFIGURATION_PAGE, 'utf8');
    for (const group of OPTION_GROUPS) expect(page).toContain(`<!-- generated: options-${group.name} -->`);
    expect(readFileSync(ERRORS_PAGE, 'utf8')).toContain('<!-- generated: errors -->');
  });

  test('a block the script has no table for is an error, not left stale', () => {
    expect(() => fillPage('<!-- generated: nope -->\nold\n<!-- end generated: nope -->', {})).toThrow('no generated table named nope');
  });
});

describe('every option has one place', () => {
  const groups = optionGroups();
  const grouped = groups.flatMap((g) => g.options);

  test('each option of JwtSsoStrategyOptions is in exactly one group, and each group names only options', () => {
    expect([...grouped].sort()).toEqual(options.map((o) => o.name).sort());
    expect(new Set(grouped).size).toBe(grouped.length);
  });

  test('each named option interface the options are composed of is the table of exactly one group', () => {
    const tabled = OPTION_GROUPS.flatMap((g) => g.interfaces);
    expect([...tabled].sort()).toEqual(optionInterfaces().sort());
    expect(new Set(tabled).size).toBe(tabled.length);
  });

  test('the key sources are tabled with the provider, and each group holds what its interfaces declare', () => {
    expect(groups.find((g) => g.name === 'provider-and-keys')?.options).toEqual(
      expect.arrayContaining(['authEndpoint', 'sharedSecret', 'publicKey', 'jwksUri', 'secretOrKeyProvider', 'algorithms']),
    );
    expect(groups.find((g) => g.name === 'hooks')?.options).toEqual(['passReqToCallback', 'clock', 'onEvent']);
  });

  test('every option has a doc comment', () => {
    expect(options.filter((o) => o.doc === '').map((o) => o.name)).toEqual([]);
  });

  test('an option the code has but no group names cannot be tabled', () => {
    expect(() => optionTable('no-such-group', options)).toThrow('no option group');
  });
});

describe("the doc comments' defaults are the code's", () => {
  const defaults: Readonly<Record<string, unknown>> = DEFAULTS;
  const said = options
    .map(({ name, doc }) => ({ name, said: /Default:? ([^\s.;,):]+)/.exec(doc)?.[1] }))
    .filter((o): o is { name: string; said: string } => o.said !== undefined && o.name in defaults);

  test('most defaults are stated in a comment', () => {
    expect(said.length).toBeGreaterThanOrEqual(10);
  });

  test.each(said)('$name: the comment says $said', ({ name, said: text }) => {
    const value = defaults[name];
    expect(text.replace(/[`']/g, '')).toBe(String(value));
  });
});

describe('the error table', () => {
  const table = errorTable(errors);

  const signIn = Object.values(JwtSsoErrorCode).filter((c) => c !== JwtSsoErrorCode.INVALID_OPTION);

  test.each(signIn)('%s has its row, with its status', (code) => {
    const { status } = new JwtSsoError(code, '');
    expect(table).toContain(`| \`${code}\` | ${status} |`);
  });

  test('the option error has its row: no status, thrown at construction', () => {
    expect(table).toContain('| `ERR_JWTSSO_INVALID_OPTION` | — | thrown at construction (a `TypeError`) |');
  });

  test.each([
    ['ERR_JWTSSO_STATE_MISMATCH', 403, 'refusal'],
    ['ERR_JWTSSO_HOST_INVALID', 400, 'refusal'],
    ['ERR_JWTSSO_REPLAY_STORE_FAILED', 500, 'fault'],
  ])('%s: %i, a %s', (code, status, kind) => {
    expect(table).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\| ${kind}`));
  });

  test('every code has a doc comment', () => {
    expect(errors.filter((e) => e.doc === '').map((e) => e.name)).toEqual([]);
  });
});

describe('a doc comment as one table cell', () => {
  test.each([
    ['a | b', 'a \\| b'],
    ['line one\n   line two', 'line one line two'],
    ['see {@link JwtSsoStrategy}', 'see `JwtSsoStrategy`'],
    ['see {@link JwtSsoErrorCode | the codes}', 'see `the codes`'],
    ['  padded\n', 'padded'],
    ['`a|b` in code', '`a\\|b` in code'],
  ])('%j → %j', (comment, cell) => {
    expect(oneLine(comment)).toBe(cell);
  });

  test('control: a row keeps exactly its three cells whatever the comment holds', () => {
    const row = `| \`x\` | — | ${oneLine('a | b | c\nd')} |`;
    expect(row.split(/(?<!\\)\|/).length).toBe(5);
  });
});
