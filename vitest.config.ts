import { defineConfig } from 'vitest/config';

// Native addons must run in forked processes: worker threads can crash on addon teardown.
// The package tests (test/package: npm pack + install + a source build + the quick pipeline)
// run alone after the rest: VSR1_TEST_PACKAGE=1 selects them (scripts/test.sh does both runs).
const packageRun = process.env.VSR1_TEST_PACKAGE === '1';
export default defineConfig({
  test: {
    pool: 'forks',
    include: packageRun ? ['test/package/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: packageRun ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/package/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
