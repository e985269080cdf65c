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
      alias: {
        // Helia's only use of it is a fallback Cairn never takes (src/p2p/self-key-unavailable.ts).
        '@libp2p/config': fileURLToPath(new URL('./src/p2p/self-key-unavailable.ts', import.meta.url)),
        // Helia's IPNS keychain, unused by a client (src/p2p/keychain-unavailable.ts).
        '@ipshipyard/keychain': fileURLToPath(new URL('./src/p2p/keychain-unavailable.ts', import.meta.url)),
      },
    },
    build: {
      target: 'es2022',
      rollupOptions: {
        // @xmtp/proto's index imports every generated module (MLS, keystore, device sync…) and
        // each one configures protobufjs' Long at the top, so none is dropped by default. Cairn
        // uses message_contents only: the rest goes; a module whose exports are used keeps its
        // setup code (the end-to-end messaging tests run this build).
        treeshake: { moduleSideEffects: (id) => !id.includes('/node_modules/@xmtp/proto/') },
      },
    },
  }),
  manifest: ({ browser }) => ({
    name: 'Cairn',
    description: 'Ethereum wallet and end-to-end encrypted messenger',
    permissions: ['storage', 'alarms', 'notifications'],
    ...(browser === 'firefox'
      ? {
          // Firefox's default MV3 policy adds `upgrade-insecure-requests`, which turns the
          // development relay's ws://127.0.0.1 into wss:// and breaks it. Same policy otherwise;
          // the connection gater still refuses ws:// to anything but configured dev relays.
          content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'" },
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
