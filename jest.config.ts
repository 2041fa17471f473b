import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  collectCoverageFrom: ['lib/**/*.ts'],
  testTimeout: 20_000,
  reporters: ['default', '<rootDir>/spec/support/summary-reporter.js'],
};

export default config;
