import type { Config } from 'jest';
import base from './jest.config';

// The Jest run under Stryker (`npm run mutate`): every suite that needs no outside program, so
// that it runs from a fresh clone. Left out: the browser suite (Chromium), the Redis suites
// (redis-server), the PyJWT / ruby-jwt interop suite (python3-jwt, ruby-jwt), and the bench, demo and package suites, which test the build and the
// examples rather than a rule of the library, and take minutes per mutant.
const config: Config = {
  ...base,
  testPathIgnorePatterns: [
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
