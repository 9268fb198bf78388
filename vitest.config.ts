import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kernel tests create namespaces, veths and processes; running files in parallel on a 2-core
    // machine makes timing-sensitive ground-truth comparisons flaky without speeding much up.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
