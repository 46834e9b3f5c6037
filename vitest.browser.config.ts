import { defineConfig } from 'vitest/config';

/** The console in a real Chromium (ENVMON_CHROMIUM or /usr/bin/chromium): `npm run test:browser`. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
