import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

// https://wxt.dev/api/config.html
export default defineConfig({
  // Every dependency is a visible import (../shared/STYLE.md).
  imports: false,
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact()],
    resolve: {
      // Helia's only use of it is a fallback Cairn never takes (src/p2p/self-key-unavailable.ts).
      alias: { '@libp2p/config': fileURLToPath(new URL('./src/p2p/self-key-unavailable.ts', import.meta.url)) },
    },
    build: { target: 'es2022' },
  }),
  manifest: ({ browser }) => ({
    name: 'Cairn',
    description: 'Ethereum wallet and end-to-end encrypted messenger',
    permissions: ['storage', 'alarms', 'notifications'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'wallet@cairn.dev',
              strict_min_version: '142.0',
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
  zip: {
    // Test profiles, logs and screenshots must never land in the sources zip.
    excludeSources: [
      '.profiles/**',
      '.cairn-relay/**',
      '.tmp/**',
      '.cache/**',
      'screenshots/**',
      '**/*.log',
      'test-results/**',
    ],
  },
});
