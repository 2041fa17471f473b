import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Examples import the package by name; in tests that is the source, not a stale dist/.
  moduleNameMapper: {
    '^passport-jwtsso$': '<rootDir>/lib/index.ts',
    '^passport-jwtsso/dev-provider$': '<rootDir>/lib/dev-provider/index.ts',
    '^passport-jwtsso/compat$': '<rootDir>/lib/compat.ts',
    '^passport-jwtsso/testing$': '<rootDir>/lib/testing.ts',
  },
  collectCoverageFrom: ['lib/**/*.ts'],
  testTimeout: 20_000,
  reporters: ['default', '<rootDir>/spec/support/summary-reporter.js'],
};

export default config;
