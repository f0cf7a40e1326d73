import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // End-to-end tests spawn the built CLI; two cores, so keep the pool small.
    maxWorkers: 2,
    // Inert unless PROMPTLAB_COUNT_ASSERTIONS is set (see the file).
    setupFiles: ['test/support/count-assertions.ts'],
  },
});
