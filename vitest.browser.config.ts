import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the HTML report opened from disk in Debian's headless Chromium (playwright-core
 * drives /usr/bin/chromium). Apart from `npm test`, which must not need a browser.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
