import { defineConfig } from 'vitest/config';

// Fast tests: pure layers and background services with in-memory adapters.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'test/firefox/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    // @xmtp/proto's ESM build imports without file extensions, which Node's loader refuses: let Vite resolve it.
    server: { deps: { inline: [/@xmtp\//] } },
  },
});
