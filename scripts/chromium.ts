/** Debian's Chromium for the tests, `npm start` and the benchmarks (see debian-browser.ts). */
import { BrowserNotFoundError, browserVersion, findDebianBrowser, printBrowser } from './debian-browser.ts';

export { BrowserNotFoundError as ChromiumNotFoundError, browserVersion as chromiumVersion };

const CHROMIUM = {
  label: 'Chromium',
  envVar: 'CHROMIUM_PATH',
  binaryNames: ['chromium'],
  debianPackage: 'chromium',
};

/** Absolute path of the Chromium binary: $CHROMIUM_PATH, `chromium` on the PATH, else apt-get as root on Debian. */
export function findChromium(options: { install?: boolean; log?: (line: string) => void } = {}): string {
  return findDebianBrowser(CHROMIUM, options);
}

if (import.meta.main) printBrowser(findChromium);
