import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Generous: a test that spawns the CLI may share two cores with another suite; none depends on speed.
    testTimeout: 60_000,
    // Two cores, so keep the pool small.
    maxWorkers: 2,
    // Inert unless PROMPTLAB_COUNT_ASSERTIONS is set (see the file).
    setupFiles: ['test/support/count-assertions.ts'],
    projects: [
      // Pure logic: threads start faster than processes, nothing here changes the working directory, and
      // no file mocks a module or leaves global state behind, so the files share their workers' modules.
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads', isolate: false },
      },
      // The CLI end to end: its own process per file, since runCli changes the working directory.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], pool: 'forks' } },
    ],
  },
});
