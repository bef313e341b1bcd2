import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time even on a 2-core machine (vitest's default there is one): most files
    // wait on child processes, servers, a browser or PostgreSQL. The full suite took 559 s this way
    // against about 830 s one at a time, with the same results.
    maxWorkers: 2,
    // A test that asserts nothing cannot fail: make it fail instead.
    expect: { requireAssertions: true },
  },
});
