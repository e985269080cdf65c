import { defineConfig } from 'vitest/config';

// `npm run fixtures`: regenerates the reference wire fixtures from xmtp-js. Deliberate and
// rare (fixtures are kept forever so formats never drift), so never part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/**/*.gen.ts'],
    environment: 'node',
    testTimeout: 60_000,
    server: { deps: { inline: [/@xmtp\//] } },
  },
});
