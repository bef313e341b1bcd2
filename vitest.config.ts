import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A test that asserts nothing cannot fail: make it fail instead.
    expect: { requireAssertions: true },
  },
});
