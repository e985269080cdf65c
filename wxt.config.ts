import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

// https://wxt.dev/api/config.html
export default defineConfig({
  // Every dependency is a visible import (../shared/STYLE.md).
  imports: false,
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact()],
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
