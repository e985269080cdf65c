/**
 * Bundles the relay daemon (src/relay/cli.ts) for Node with esbuild into
 * .output/relay/cairn-relay.mjs. One file: src imports are extensionless and @xmtp/proto's ESM
 * build imports without extensions, which Node's own loader refuses.
 *   node scripts/build-relay.ts        (npm run relay:build)
 */

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const RELAY_BUNDLE = fileURLToPath(new URL('../.output/relay/cairn-relay.mjs', import.meta.url));

/** Builds the bundle; returns its path. */
export async function buildRelay(): Promise<string> {
  await build({
    absWorkingDir: root,
    entryPoints: ['src/relay/cli.ts'],
    outfile: RELAY_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    // Some CommonJS dependencies call require() for Node built-ins: give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cairnCreateRequire } from 'node:module'; const require = __cairnCreateRequire(import.meta.url);",
    },
  });
  return RELAY_BUNDLE;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const output = await buildRelay();
  console.log(`built ${output} in ${Date.now() - started} ms`);
}
