/** Finds Chromium (installing Debian's package when allowed) and makes sure the extension is built. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from '../../../scripts/chromium.ts';
import { EXTENSION_DIR } from './paths.ts';

export default function setup() {
  process.env.CHROMIUM_PATH = findChromium();
  if (!existsSync(`${EXTENSION_DIR}/manifest.json`)) {
    const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
}
