import { defineConfig } from 'vitest/config';

// One test run for the whole workspace. Unit tests live beside each package
// (packages/*/test), end-to-end tests of the built CLI in test/. Benchmarks
// (bench/) are never part of it.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'bench/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
