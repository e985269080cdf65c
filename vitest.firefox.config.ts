import { defineConfig } from 'vitest/config';

// The Firefox build in Debian's Firefox ESR (npm run test:firefox builds it first). One browser at a time.
export default defineConfig({
  test: {
    include: ['test/firefox/**/*.firefox.test.ts'],
    environment: 'node',
    globalSetup: ['test/firefox/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
