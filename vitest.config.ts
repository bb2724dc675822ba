import { defineConfig } from 'vitest/config';

// Native addons must run in forked processes: worker threads can crash on addon teardown.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
