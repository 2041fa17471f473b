// The reporter is plain JavaScript (Jest loads it as it is); its shape for the test that drives it.
declare class SummaryReporter {
  onRunComplete(contexts: unknown, results: unknown): void;
}
export = SummaryReporter;
