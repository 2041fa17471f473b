import type { Config } from 'jest';
import base from './jest.config';

// The Jest run under Stryker (`npm run mutate`): every suite that needs no outside program, so
// that it runs from a fresh clone. Left out: the browser suite (Chromium), the Redis suites
// (redis-server), the PyJWT / ruby-jwt interop suite (python3-jwt, ruby-jwt), and the bench, demo and package suites, which test the build and the
// examples rather than a rule of the library, and take minutes per mutant.
//
// MUTATE_SPECS narrows the run to the suites that exercise the file being mutated: a comma-separated
// list of globs under spec/ (`MUTATE_SPECS='token.test.ts,keys/*.test.ts' npx stryker run --mutate
// lib/token.ts --concurrency 1`). A narrowed run measures a lower bound: only those suites can kill.
// A narrowed run takes exactly the suites it names, the Redis ones included (`replay/redis*.test.ts`
// needs a redis-server on the PATH): naming a suite is the choice to pay for it.
const narrowed = (process.env.MUTATE_SPECS ?? '')
  .split(',')
  .map((glob) => glob.trim())
  .filter((glob) => glob !== '');

const config: Config = {
  ...base,
  ...(narrowed.length > 0 ? { testMatch: narrowed.map((glob) => `**/spec/${glob}`) } : {}),
  testPathIgnorePatterns:
    narrowed.length > 0
      ? ['/node_modules/']
      : [
          '/node_modules/',
          '<rootDir>/spec/e2e/',
          '<rootDir>/spec/replay/redis',
          '<rootDir>/spec/replay/multi-instance',
          '<rootDir>/spec/replay/cluster',
          '<rootDir>/spec/replay/sentinel',
          '<rootDir>/spec/interop/pyjwt-ruby-jwt',
          '<rootDir>/spec/bench\\.test\\.ts$',
          '<rootDir>/spec/demo\\.test\\.ts$',
          '<rootDir>/spec/package\\.test\\.ts$',
        ],
  // Stryker reads its own results; the CI summary line is noise here.
  reporters: ['default'],
};

export default config;
