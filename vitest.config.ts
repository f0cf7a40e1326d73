import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: a test that spawns the CLI may share two cores with another suite; none depends on speed.
    testTimeout: 60_000,
    // Two cores, so keep the pool small.
    maxWorkers: 2,
    // Inert unless PROMPTLAB_COUNT_ASSERTIONS is set (see the file).
    setupFiles: ['test/support/count-assertions.ts'],
  },
});
