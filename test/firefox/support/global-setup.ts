/**
 * Finds Firefox (installing Debian's firefox-esr when allowed) and hands its path
 * to the tests; at the end prints how long the run took, with and without that
 * install. `npm run test:firefox` builds the extension before this runs.
 */
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { FirefoxNotFoundError, findFirefox, firefoxVersion } from '../../../scripts/firefox.ts';
import { FIREFOX_EXTENSION_DIR } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set only by this setup, so the Firefox tests skip themselves under other configs. */
    firefoxPath: string;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function locateFirefox(): { path: string; installMs: number } {
  try {
    return { path: findFirefox({ install: false }), installMs: 0 };
  } catch (error) {
    if (!(error instanceof FirefoxNotFoundError) || process.env.FIREFOX_PATH) throw error;
  }
  const started = performance.now();
  const path = findFirefox();
  return { path, installMs: performance.now() - started };
}

export default function setup(project: TestProject) {
  if (!existsSync(`${FIREFOX_EXTENSION_DIR}/manifest.json`)) {
    throw new Error(
      `${FIREFOX_EXTENSION_DIR} has no build: run npm run build:firefox (npm run test:firefox does)`,
    );
  }
  const started = performance.now();
  const { path, installMs } = locateFirefox();
  console.log(`firefox: ${path} (${firefoxVersion(path)})`);
  project.provide('firefoxPath', path);
  return () => {
    const total = performance.now() - started;
    const install = installMs > 0 ? `; with the firefox-esr install, ${seconds(total)}` : '';
    console.log(`Firefox tests: ${seconds(total - installMs)} without installing Firefox${install}`);
  };
}
