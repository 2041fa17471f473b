import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // @nestjs/passport 12 is ES modules only, which Jest on Node 20 cannot require: compiled to CommonJS.
    '^.+/node_modules/@nestjs/passport/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', esModuleInterop: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/passport/)'],
  // Examples import the package by name; in tests that is the source, not a stale dist/.
  moduleNameMapper: {
    '^passport-jwtsso$': '<rootDir>/lib/index.ts',
    '^passport-jwtsso/dev-provider$': '<rootDir>/lib/dev-provider/index.ts',
    '^passport-jwtsso/compat$': '<rootDir>/lib/compat.ts',
    '^passport-jwtsso/testing$': '<rootDir>/lib/testing.ts',
    '^passport-jwtsso/fastify$': '<rootDir>/lib/fastify.ts',
    '^passport-jwtsso/nest$': '<rootDir>/lib/nest.ts',
  },
  collectCoverageFrom: ['lib/**/*.ts'],
  testTimeout: 20_000,
  reporters: ['default', '<rootDir>/spec/support/summary-reporter.js'],
};

export default config;
