/**
 * Three suites, one runner. The integration suite runs a second time against
 * PostgreSQL when TEST_DATABASE_URL is set (each test file in its own scratch database).
 * @type {import('jest').Config}
 */
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
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
};
