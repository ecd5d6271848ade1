import { defineConfig } from 'vitest/config';

// Browser tests (Debian's Chromium through playwright-core) against the real services; apart from
// `pnpm test` because they need /usr/bin/chromium and take longer. Run with `pnpm test:browser`.
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    globalSetup: ['packages/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
