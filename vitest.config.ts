import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep file parallelism modest so e2e servers do not starve each other.
    maxWorkers: 2,
  },
});
