// Keeps the committed mutation scores (mutation-summary.json) and TESTING.md's table of them in step
// with what StrykerJS measured.
//
//   npm run mutation:summary                      merge reports/mutation/mutation.json, rewrite the table
//   npm run mutation:summary -- --commit <sha>    the commit the run measured (default: HEAD)
//   npm run mutation:summary -- --suites <globs>  the run's MUTATE_SPECS (default: $MUTATE_SPECS, or all)
//   npm run mutation:summary -- --mutated <files> the run's --mutate list (comma-separated): a file in it
//                                                 that the report lacks had no mutant, and is recorded so
//   npm run mutation:summary -- --table-only      rewrite TESTING.md's table from the committed JSON
//
// A run usually mutates one file (`--mutate lib/x.ts`), so the report's files are merged into the
// summary: each file keeps the commit and date it was measured at. The conversion and the table are
// plain functions so that spec/mutation-summary.test.ts can check them on a fixture report.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The part of a mutation-testing-report-schema mutant this summary reads. */
export interface ReportMutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number } };
}

/** The part of a mutation-testing-report-schema report this summary reads. */
export interface MutationReport {
  framework?: { name?: string; version?: string };
  files: Record<string, { mutants: ReportMutant[] }>;
}

export interface Survivor {
  line: number;
  mutator: string;
  replacement: string;
  status: 'Survived' | 'NoCoverage';
}

export interface Equivalent {
  line: number;
  mutator: string;
  reason: string;
}

/** Where and how a file was measured. */
export interface MeasuredAt {
  commit: string;
  /** The date the run ended, YYYY-MM-DD. */
  measured: string;
  /** The suites the run was narrowed to (MUTATE_SPECS), or ALL_SUITES. */
  suites: string;
}

export const ALL_SUITES = 'all of jest.mutate.config.ts';

export interface FileSummary {
  /** Stryker's mutation score: (killed + timeout) / (killed + timeout + survived + no coverage), in %. */
  score: number;
  commit: string;
  measured: string;
  suites: string;
  /** Every mutant Stryker made in the file, ignored ones included. */
  mutants: number;
  killed: number;
  timeout: number;
  survivors: Survivor[];
  /** Mutants ignored by a `// Stryker disable next-line <Mutator>: <reason>` comment. */
  equivalent: Equivalent[];
}

export interface MutationSummary {
  stryker: string;
  files: Record<string, FileSummary>;
}

export const TABLE_START = '<!-- mutation-summary:start -->';
export const TABLE_END = '<!-- mutation-summary:end -->';

const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Rounds a percentage to two decimals, as Stryker's clear-text reporter shows it. */
function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.round((part / whole) * 10_000) / 100;
}

function byPosition(a: ReportMutant, b: ReportMutant): number {
  return a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column;
}

/** One file's mutants as a summary entry; undefined for a file Stryker found nothing to mutate in. */
export function summarizeFile(mutants: readonly ReportMutant[], measuredAt: MeasuredAt): FileSummary | undefined {
  if (mutants.length === 0) return undefined;
  const count = (status: string): number => mutants.filter((mutant) => mutant.status === status).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const sorted = [...mutants].sort(byPosition);
  const survivors = sorted
    .filter((mutant) => UNDETECTED.has(mutant.status))
    .map((mutant): Survivor => ({
      line: mutant.location.start.line,
      mutator: mutant.mutatorName,
      replacement: mutant.replacement ?? '',
      status: mutant.status as Survivor['status'],
    }));
  const equivalent = sorted
    .filter((mutant) => mutant.status === 'Ignored')
    .map((mutant): Equivalent => ({
      line: mutant.location.start.line,
      mutator: mutant.mutatorName,
      reason: mutant.statusReason ?? '',
    }));
  // Compile and runtime errors are not valid mutants, and ignored ones are not tested: neither counts.
  const valid = killed + timeout + survivors.length;
  return {
    score: percent(killed + timeout, valid),
    commit: measuredAt.commit,
    measured: measuredAt.measured,
    suites: measuredAt.suites,
    mutants: mutants.length,
    killed,
    timeout,
    survivors,
    equivalent,
  };
}

/**
 * The summary with the report's files merged in: a file in the report replaces its entry, every
 * other file keeps the entry (and the commit) it was measured with.
 */
export function mergeReport(
  summary: MutationSummary | undefined,
  report: MutationReport,
  measuredAt: MeasuredAt,
  mutated: readonly string[] = [],
): MutationSummary {
  const files: Record<string, FileSummary> = { ...(summary?.files ?? {}) };
  for (const [path, file] of Object.entries(report.files)) {
    const entry = summarizeFile(file.mutants, measuredAt);
    if (entry !== undefined) files[path] = entry;
  }
  // Stryker leaves a file it made no mutant in (an `as const` table) out of its report: one the
  // run was told to mutate is recorded as measured, with none.
  for (const path of mutated) {
    if ((report.files[path]?.mutants.length ?? 0) > 0) continue;
    files[path] = { score: 100, ...measuredAt, mutants: 0, killed: 0, timeout: 0, survivors: [], equivalent: [] };
  }
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { stryker: report.framework?.version ?? summary?.stryker ?? 'unknown', files: sorted };
}

/**
 * TESTING.md's table: one row per file of the `mutate` list, measured or not, then any measured file
 * no longer in it. A row says what a reader needs to trust the score: when, at which commit.
 */
export function renderTable(summary: MutationSummary, mutateList: readonly string[]): string {
  const paths = [...mutateList, ...Object.keys(summary.files).filter((path) => !mutateList.includes(path))];
  const rows = paths.map((path) => {
    const file = summary.files[path];
    if (file === undefined) return `| \`${path}\` | not yet measured | | | | | | | | |`;
    const measured = `${file.measured}, \`${file.commit.slice(0, 7)}\` | ${file.suites === ALL_SUITES ? 'all' : `\`${file.suites}\``} |`;
    if (file.mutants === 0) return `| \`${path}\` | no mutants | 0 | | | | | | ${measured}`;
    const survived = file.survivors.filter((survivor) => survivor.status === 'Survived').length;
    const noCoverage = file.survivors.length - survived;
    return (
      `| \`${path}\` | **${file.score.toFixed(2)} %** | ${file.mutants} | ${file.killed} | ${file.timeout} | ` +
      `${survived} | ${noCoverage} | ${file.equivalent.length} | ${measured}`
    );
  });
  return [
    `Generated by \`npm run mutation:summary\` from \`mutation-summary.json\` (StrykerJS ${summary.stryker});`,
    'the survivors and the reasons of the equivalent mutants are listed there.',
    '',
    '| file | score | mutants | killed | timeout | survived | no coverage | equivalent | measured | suites (`MUTATE_SPECS`) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The text with what lies between the two markers replaced by the table. */
export function replaceTable(text: string, table: string): string {
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`the markers ${TABLE_START} and ${TABLE_END} are missing or out of order`);
  }
  return `${text.slice(0, start + TABLE_START.length)}\n${table}\n${text.slice(end)}`;
}

/** The files of stryker.config.json's `mutate` list. */
export function mutateList(root: string): string[] {
  const config = JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8')) as { mutate: string[] };
  return config.mutate;
}

export function readSummary(root: string): MutationSummary | undefined {
  try {
    return JSON.parse(readFileSync(join(root, 'mutation-summary.json'), 'utf8')) as MutationSummary;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

function main(args: readonly string[]): void {
  const root = join(__dirname, '..');
  let summary = readSummary(root);
  if (!args.includes('--table-only')) {
    const reportPath = join(root, option(args, '--report') ?? 'reports/mutation/mutation.json');
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as MutationReport;
    const commit = option(args, '--commit') ?? execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    // The report is written when the run ends: its date is the measurement's.
    const measured = option(args, '--measured') ?? statSync(reportPath).mtime.toISOString().slice(0, 10);
    // The suites the run was narrowed to: the same MUTATE_SPECS as the run's, or --suites.
    const suites = option(args, '--suites') ?? process.env.MUTATE_SPECS ?? ALL_SUITES;
    const mutated = (option(args, '--mutated') ?? '').split(',').filter((path) => path !== '');
    summary = mergeReport(summary, report, { commit, measured, suites: suites.trim() === '' ? ALL_SUITES : suites }, mutated);
    writeFileSync(join(root, 'mutation-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
  if (summary === undefined) throw new Error('no mutation-summary.json: run Stryker and this script without --table-only');
  const testingPath = join(root, 'TESTING.md');
  writeFileSync(testingPath, replaceTable(readFileSync(testingPath, 'utf8'), renderTable(summary, mutateList(root))));
}

if (require.main === module) main(process.argv.slice(2));
