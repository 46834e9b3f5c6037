import { defineConfig } from 'vitest/config';

/**
 * The fault tier (`npm run test:faults`): envmon processes killed, servers restarted, mail down, many instances
 * at once. Files run one after another: each starts several processes, and two at once on a small machine would
 * only slow each other down.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    globalSetup: ['test/faults/support/global-setup.ts'],
    setupFiles: ['test/support/leak-check.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
