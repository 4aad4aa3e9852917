/**
 * Three suites, one runner. The integration suite runs a second time against
 * PostgreSQL when TEST_DATABASE_URL is set (each test file in its own scratch database).
 * @type {import('jest').Config}
 */
const os = require('node:os');

const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

const projects = [
  { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
  { ...common, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts'] },
  { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({
    ...common,
    displayName: 'integration-pg',
    testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
    setupFiles: ['<rootDir>/tests/support/use-postgres.ts'],
  });
}

module.exports = {
  projects,
  // Jest's default is one worker fewer than the cores, which on the 2-core CI machine means
  // every file in turn. The files spend much of their time waiting on Chromium, PostgreSQL
  // and fsync, so two at once cut the whole run by about 30% (526 s to 368 s measured).
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
};
