/** Debian's Firefox ESR for the Firefox tests (see debian-browser.ts). */
import { BrowserNotFoundError, browserVersion, findDebianBrowser, printBrowser } from './debian-browser.ts';

export { BrowserNotFoundError as FirefoxNotFoundError, browserVersion as firefoxVersion };

const FIREFOX = {
  label: 'Firefox',
  envVar: 'FIREFOX_PATH',
  binaryNames: ['firefox-esr', 'firefox'],
  debianPackage: 'firefox-esr',
};

/** Absolute path of Firefox: $FIREFOX_PATH, `firefox-esr`/`firefox` on the PATH, else apt-get as root on Debian. */
export function findFirefox(options: { install?: boolean; log?: (line: string) => void } = {}): string {
  return findDebianBrowser(FIREFOX, options);
}

if (import.meta.main) printBrowser(findFirefox);
