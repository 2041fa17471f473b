// The closing summary: the exact line CI reads, then one line per skip reason.
import SummaryReporter from './support/summary-reporter';
import { skippedName } from './support/skip';

type Status = 'passed' | 'failed' | 'pending' | 'todo';
const result = (status: Status, title: string, ancestors: string[] = []) => ({ status, title, ancestorTitles: ancestors });

function summary(tests: ReturnType<typeof result>[]): string {
  const count = (s: Status) => tests.filter((t) => t.status === s).length;
  const results = {
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('pending'),
    numTodoTests: count('todo'),
    testResults: [{ testResults: tests }],
  };
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    new SummaryReporter().onRunComplete(new Set(), results);
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

test.each<[string, ReturnType<typeof result>[], string]>([
  ['control: nothing skipped', [result('passed', 'a'), result('failed', 'b')], '\njest: 1 passed, 1 failed, 0 skipped\n'],
  [
    'a suite skipped with its reason, counted once per reason',
    [
      result('passed', 'a'),
      result('pending', 'x', [skippedName('redis', 'no redis-server: apt-get install -y redis-server')]),
      result('pending', 'y', [skippedName('redis', 'no redis-server: apt-get install -y redis-server'), 'inner']),
      result('pending', skippedName('CI has Chromium', 'only under CI=true')),
    ],
    '\njest: 1 passed, 0 failed, 3 skipped\n  skipped 2: no redis-server: apt-get install -y redis-server\n  skipped 1: only under CI=true\n',
  ],
  [
    'a skip without a reason is said to have none',
    [result('pending', 'plain'), result('todo', 'later')],
    '\njest: 0 passed, 0 failed, 2 skipped\n  skipped 2: no reason given (test.skip or a -t filter)\n',
  ],
])('%s', (_name, tests, expected) => {
  expect(summary(tests)).toBe(expected);
});

test('a reason cannot end its own bracket early', () => {
  expect(skippedName('s', 'a ] b')).toBe('s [skipped: a ) b]');
});
