// Prints one closing line CI can read: "jest: N passed, N failed, N skipped", then, on the lines
// after it, why tests were skipped. A skipped suite states its reason in its name, as
// "[skipped: …]" (see spec/support/skip.ts): Jest prints nothing of a file whose tests were all
// skipped, so the name is what survives to here.
const REASON = /\[skipped: ([^\]]+)\]/;

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
    const reasons = new Map();
    let unexplained = 0;
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status !== 'pending' && test.status !== 'todo') continue;
        const reason = [...test.ancestorTitles, test.title].map((t) => REASON.exec(t)?.[1]).find((r) => r !== undefined);
        if (reason === undefined) unexplained += 1;
        else reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    for (const [reason, count] of reasons) process.stdout.write(`  skipped ${count}: ${reason}\n`);
    if (unexplained > 0) process.stdout.write(`  skipped ${unexplained}: no reason given (test.skip or a -t filter)\n`);
  }
}
module.exports = SummaryReporter;
