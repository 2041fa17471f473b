import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import {
  ALL_SUITES,
  TABLE_END,
  TABLE_START,
  mergeReport,
  mutateList,
  readSummary,
  renderTable,
  replaceTable,
  summarizeFile,
  type MutationReport,
  type MutationSummary,
} from '../scripts/mutation-summary';

const root = join(__dirname, '..');
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/mutation-report.json'), 'utf8')) as MutationReport;
const at = { commit: 'c0ffee0000000000000000000000000000000001', measured: '2026-12-01', suites: ALL_SUITES };

describe('a Stryker report becomes a file summary', () => {
  const a = summarizeFile(fixture.files['lib/a.ts']!.mutants, at)!;

  test("the score is Stryker's: (killed + timeout) / (killed + timeout + survived + no coverage)", () => {
    // 5 killed + 1 timeout of 9 valid (2 survived, 1 not covered): the 2 ignored, the compile error and the
    // runtime error do not count.
    expect(a.score).toBe(66.67);
    expect(a).toMatchObject({ killed: 5, timeout: 1, mutants: 13 });
  });

  test('a timeout counts as detected', () => {
    // 2 killed + 1 timeout of 4.
    expect(summarizeFile(fixture.files['lib/b.ts']!.mutants, at)!.score).toBe(75);
  });

  test('survived and uncovered mutants are listed in source order, with what replaced the code', () => {
    expect(a.survivors).toEqual([
      { line: 7, mutator: 'ConditionalExpression', replacement: 'false', status: 'Survived' },
      { line: 7, mutator: 'ConditionalExpression', replacement: 'true', status: 'NoCoverage' },
      { line: 9, mutator: 'EqualityOperator', replacement: 'a <= b', status: 'Survived' },
    ]);
  });

  test('a mutant ignored by a disable comment is listed as equivalent with the reason the comment gives', () => {
    expect(a.equivalent).toEqual([
      { line: 11, mutator: 'EqualityOperator', reason: 'equal expiries may sit either way round' },
      { line: 12, mutator: 'ConditionalExpression', reason: 'without exp the comparison is with NaN, false either way' },
    ]);
  });

  test('the entry carries the commit, the date and the suites it was measured with', () => {
    expect(a).toMatchObject(at);
  });

  test('a file with no mutants (types, re-exports) has no entry', () => {
    expect(summarizeFile([], at)).toBeUndefined();
  });

  test('a file where every mutant is ignored scores 100 %, as Stryker shows it', () => {
    const ignored = fixture.files['lib/a.ts']!.mutants.filter((mutant) => mutant.status === 'Ignored');
    expect(summarizeFile(ignored, at)!.score).toBe(100);
  });
});

describe("a file the run mutated that Stryker's report leaves out had no mutant, and is recorded as such", () => {
  const later = { commit: 'beef000000000000000000000000000000000003', measured: '2026-12-03', suites: 'options/*.test.ts' };
  const merged = mergeReport(undefined, fixture, later, ['lib/a.ts', 'lib/consts.ts']);

  test('an entry of no mutants, with the commit, date and suites of the run', () => {
    expect(merged.files['lib/consts.ts']).toEqual({
      ...later,
      score: 100,
      mutants: 0,
      killed: 0,
      timeout: 0,
      survivors: [],
      equivalent: [],
    });
  });

  test('control: a mutated file the report has keeps what the report says', () => {
    expect(merged.files['lib/a.ts']).toMatchObject({ score: 66.67, mutants: 13 });
  });

  test('a file not in the run is not recorded', () => {
    expect(mergeReport(undefined, fixture, later).files['lib/consts.ts']).toBeUndefined();
  });

  test('its row says so, with where it was measured', () => {
    expect(renderTable(merged, ['lib/consts.ts'])).toContain(
      '| `lib/consts.ts` | no mutants | 0 | | | | | | 2026-12-03, `beef000` | `options/*.test.ts` |',
    );
  });
});

describe('a report is merged into the summary: each file keeps the commit it was measured at', () => {
  const earlier: MutationSummary = {
    stryker: '9.0.0',
    files: {
      'lib/b.ts': { ...summarizeFile(fixture.files['lib/b.ts']!.mutants, at)!, score: 1 },
      'lib/c.ts': { ...summarizeFile(fixture.files['lib/b.ts']!.mutants, at)!, commit: 'an older commit' },
    },
  };
  const later = { commit: 'beef000000000000000000000000000000000002', measured: '2026-12-02', suites: 'token*.test.ts' };
  const merged = mergeReport(earlier, fixture, later);

  test("the report's files replace their entries", () => {
    expect(merged.files['lib/a.ts']).toMatchObject({ score: 66.67, ...later });
    expect(merged.files['lib/b.ts']).toMatchObject({ score: 75, ...later });
  });

  test('a file the report does not mention is kept as it was measured', () => {
    expect(merged.files['lib/c.ts']).toEqual(earlier.files['lib/c.ts']);
  });

  test('a file without mutants is not added, the files are in path order, the version is the report’s', () => {
    expect(Object.keys(merged.files)).toEqual(['lib/a.ts', 'lib/b.ts', 'lib/c.ts']);
    expect(merged.stryker).toBe('9.9.9');
  });

  test('merging into no summary at all starts one', () => {
    expect(Object.keys(mergeReport(undefined, fixture, later).files)).toEqual(['lib/a.ts', 'lib/b.ts']);
  });
});

describe("TESTING.md's table is generated between two markers", () => {
  const summary = mergeReport(undefined, fixture, at);
  const table = renderTable(summary, ['lib/a.ts', 'lib/not-yet.ts']);

  test('one row per file of the mutate list, a file not measured yet says so, then measured files outside it', () => {
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toEqual([
      '| `lib/a.ts` | **66.67 %** | 13 | 5 | 1 | 2 | 1 | 2 | 2026-12-01, `c0ffee0` | all |',
      '| `lib/not-yet.ts` | not yet measured | | | | | | | | |',
      '| `lib/b.ts` | **75.00 %** | 4 | 2 | 1 | 1 | 0 | 0 | 2026-12-01, `c0ffee0` | all |',
    ]);
  });

  test('a narrowed run shows the suites it was narrowed to', () => {
    const narrowed = mergeReport(undefined, fixture, { ...at, suites: 'token*.test.ts,keys*.test.ts' });
    expect(renderTable(narrowed, ['lib/b.ts'])).toContain('| 2026-12-01, `c0ffee0` | `token*.test.ts,keys*.test.ts` |');
  });

  test('only the text between the markers is replaced', () => {
    const text = `before\n${TABLE_START}\nold table\n${TABLE_END}\nafter\n`;
    expect(replaceTable(text, 'new table')).toBe(`before\n${TABLE_START}\nnew table\n${TABLE_END}\nafter\n`);
    expect(replaceTable(replaceTable(text, 'new table'), 'new table')).toBe(replaceTable(text, 'new table'));
  });

  test.each([
    ['no markers', 'a text without a table'],
    ['no end marker', `${TABLE_START}\nrows`],
    ['no start marker', `rows\n${TABLE_END}`],
    ['markers out of order', `${TABLE_END}\nrows\n${TABLE_START}`],
  ])('a text with %s is refused rather than appended to', (_label, text) => {
    expect(() => replaceTable(text, 'table')).toThrow(/markers/);
  });
});

/** A file with nothing Stryker could mutate: only type declarations, type imports and re-exports. */
function declaresNoCode(path: string): boolean {
  const source = ts.createSourceFile(path, readFileSync(join(root, path), 'utf8'), ts.ScriptTarget.ES2022);
  return source.statements.every(
    (statement) =>
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true) ||
      (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined),
  );
}

describe('the committed mutation summary', () => {
  const summary = readSummary(root)!;
  const mutate = mutateList(root);
  const libFiles = execFileSync('git', ['ls-files', 'lib'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((path) => path.endsWith('.ts') && !path.startsWith('lib/dev-provider/'));

  test('exists, and every file it lists exists', () => {
    expect(summary).toBeDefined();
    expect(Object.keys(summary.files).filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });

  test('every file is listed with the commit and the date it was measured at', () => {
    for (const file of Object.values(summary.files)) {
      expect(file.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(file.measured).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(file.suites).not.toBe('');
    }
  });

  test('every equivalent mutant says why it cannot change behaviour', () => {
    const unexplained = Object.entries(summary.files).flatMap(([path, file]) =>
      file.equivalent.filter((mutant) => mutant.reason.trim() === '').map((mutant) => `${path}:${mutant.line}`),
    );
    expect(unexplained).toEqual([]);
  });

  test('stryker.config.json mutates every lib/ file but lib/dev-provider/** and files that declare no code', () => {
    const unlisted = libFiles.filter((path) => !mutate.includes(path) && !declaresNoCode(path));
    expect(unlisted).toEqual([]);
    expect(mutate.filter((path) => !libFiles.includes(path))).toEqual([]);
    expect(mutate.filter(declaresNoCode)).toEqual([]);
  });

  test("TESTING.md's table is exactly what `npm run mutation:summary -- --table-only` generates", () => {
    const testing = readFileSync(join(root, 'TESTING.md'), 'utf8');
    expect(testing).toBe(replaceTable(testing, renderTable(summary, mutate)));
  });

  // Listed in the table as "not yet measured"; each shows in Jest's output as a todo until it is measured.
  const notYetMeasured = mutateList(root).filter((path) => readSummary(root)?.files[path] === undefined);
  for (const path of notYetMeasured) test.todo(`not yet measured: ${path}`);
});
