import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'wxt';

const local = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Modules whose top level has no side effects Cairn needs (see `treeshake` below). */
const SIDE_EFFECT_FREE = /\/node_modules\/(@xmtp\/proto|@ipld\/dag-cbor|@ipld\/dag-json)\//;

/**
 * Gossipsub's Prometheus metrics, built only when a metrics registry is passed (the client never
 * passes one), are replaced by a stand-in: src/p2p/gossip-metrics-unavailable.ts. A relative
 * import inside gossipsub, so a plugin rather than an alias.
 */
function gossipMetricsStandIn(): Plugin {
  const standIn = local('./src/p2p/gossip-metrics-unavailable.ts');
  return {
    name: 'cairn-gossip-metrics-stand-in',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './metrics.js' && importer?.includes('/node_modules/@libp2p/gossipsub/dist/src/')) {
        return standIn;
      }
      return null;
    },
  };
}

// https://wxt.dev/api/config.html
export default defineConfig({
  // Every dependency is a visible import (../shared/STYLE.md).
  imports: false,
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact(), gossipMetricsStandIn()],
    resolve: {
      // Exact module names only (`cborg/json` and the like resolve as usual).
      alias: [
        // Helia's only use of it is a fallback Cairn never takes (src/p2p/self-key-unavailable.ts).
        { find: /^@libp2p\/config$/, replacement: local('./src/p2p/self-key-unavailable.ts') },
        // Helia's IPNS keychain, unused by a client (src/p2p/keychain-unavailable.ts).
        { find: /^@ipshipyard\/keychain$/, replacement: local('./src/p2p/keychain-unavailable.ts') },
        // libp2p's and Helia's (birnam) debug loggers, which a service worker cannot switch on
        // (src/p2p/logger-disabled.ts).
        { find: /^(@libp2p\/logger|birnam)$/, replacement: local('./src/p2p/logger-disabled.ts') },
        // Helia's pin records, which a client never writes (src/p2p/cbor-unavailable.ts).
        { find: /^cborg$/, replacement: local('./src/p2p/cbor-unavailable.ts') },
        // One Long for everyone: protobufjs requires long's CommonJS build, @xmtp/proto imports its
        // ESM build (and hands it to protobufjs); both copies would ship otherwise.
        { find: /^long$/, replacement: local('./node_modules/long/umd/index.js') },
        // @helia/bitswap's own protons-runtime 8 has the same JavaScript as the 7 the rest of
        // libp2p uses (only its type declarations differ): one copy.
        { find: /^protons-runtime$/, replacement: local('./node_modules/protons-runtime/dist/src/index.js') },
      ],
    },
    build: {
      target: 'es2022',
      rollupOptions: {
        // @xmtp/proto's index imports every generated module (MLS, keystore, device sync…) and
        // each one configures protobufjs' Long at the top, so none is dropped by default. Cairn
        // uses message_contents only: the rest goes; a module whose exports are used keeps its
        // setup code (the end-to-end messaging tests run this build).
        // Likewise Helia's dag-cbor and dag-json codecs, which only its full `createHelia` uses.
        treeshake: { moduleSideEffects: (id) => !SIDE_EFFECT_FREE.test(id) },
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
