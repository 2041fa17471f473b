// A skipped suite's name carries its reason, "[skipped: …]", which the summary reporter prints
// after the closing line (Jest drops the console output of a file whose tests were all skipped).

/** `name` with the reason it is skipped, for `describe.skip`/`test.skip`. */
export function skippedName(name: string, reason: string): string {
  return `${name} [skipped: ${reason.replace(/\]/g, ')')}]`;
}
