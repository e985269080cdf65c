/**
 * `npm test`: every check, in order, stopping at the first failure:
 * typecheck, lint, unit tests, both browser builds, web-ext lint, the end-to-end
 * tests in Debian's Chromium with the built extension, then a smoke test of the
 * Firefox build in Debian's Firefox ESR (both browsers are found or installed).
 */
import { spawnSync } from 'node:child_process';
import { ChromiumNotFoundError, chromiumVersion, findChromium } from './chromium.ts';

const major = Number(process.versions.node.split('.')[0]);
console.log(`node ${process.version} (${process.execPath})`);
if (major < 22) {
  console.error('Node >= 22 is required; run through npm so node_modules/.bin/node (Node 24) is used.');
  process.exit(1);
}

const steps: Array<[name: string, command: string[]]> = [
  ['typecheck', ['npm', 'run', '-s', 'typecheck']],
  ['lint', ['npm', 'run', '-s', 'lint']],
  ['unit', ['npm', 'run', '-s', 'test:unit']],
  ['build chrome', ['npm', 'run', '-s', 'build']],
  ['build firefox', ['npm', 'run', '-s', 'build:firefox']],
  ['web-ext lint', ['npm', 'run', '-s', 'lint:firefox']],
  ['build relay', ['npm', 'run', '-s', 'relay:build']],
  ['e2e', ['npm', 'run', '-s', 'test:e2e']],
  ['firefox', ['npm', 'run', '-s', 'test:firefox']],
];

const started = Date.now();
for (const [name, [command = 'npm', ...args]] of steps) {
  if (name === 'e2e') {
    try {
      const chromiumPath = findChromium();
      process.env.CHROMIUM_PATH = chromiumPath;
      console.log(`chromium: ${chromiumPath} (${chromiumVersion(chromiumPath)})`);
    } catch (error) {
      if (!(error instanceof ChromiumNotFoundError)) throw error;
      console.error(error.message);
      process.exit(1);
    }
  }
  console.log(`\n── ${name} ──`);
  const stepStart = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - stepStart) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed after ${seconds} s (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
  console.log(`✓ ${name} (${seconds} s)`);
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
