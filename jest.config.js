/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
  // LINSHENG_TEST_ENGINE=postgres: each test app's PostgreSQL database is closed and dropped after its test.
  setupFilesAfterEnv: ['<rootDir>/test/setup/engine.ts'],
  // Browser and child-process tests start servers; keep parallelism modest on a 2-core machine.
  maxWorkers: 2,
};
