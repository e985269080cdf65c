#!/usr/bin/env node
// Runs the bundled relay daemon, building it first when the bundle is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../.output/relay/cairn-relay.mjs', import.meta.url));
if (!existsSync(bundle)) {
  const script = fileURLToPath(new URL('../scripts/build-relay.ts', import.meta.url));
  const result = spawnSync(process.execPath, [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
await import(bundle);
