import { defineConfig } from 'vitest/config';

// Fast tests: pure layers and background services with in-memory adapters.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'test/firefox/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
