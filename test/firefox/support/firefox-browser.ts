/**
 * Launches Debian's Firefox ESR with the built extension installed, the way a
 * user's browser runs it: a fresh temporary profile, headless, driven by
 * puppeteer-core over WebDriver BiDi, with no network except 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FIREFOX_EXTENSION_DIR } from './paths';

/** `browser_specific_settings.gecko.id` in the Firefox manifest. */
export const GECKO_ID = 'wallet@cairn.dev';
/**
 * Firefox gives each add-on a random internal UUID (the host of its
 * `moz-extension://` URLs) and keeps the mapping in `extensions.webextensions.uuids`.
 * An entry already in that pref is used as is, so the tests pin one.
 */
export const EXTENSION_UUID = '6f3b0a52-1c9e-4d7a-8b25-0e4f9c2d7a13';
export const EXTENSION_BASE_URL = `moz-extension://${EXTENSION_UUID}/`;

/**
 * Everything that could reach past 127.0.0.1 is off, on top of puppeteer's profile
 * defaults (checked with strace: no connection and no DNS query leaves the machine).
 */
const OFFLINE_PREFS: Record<string, unknown> = {
  // Any request that still slips through goes to a closed local port, and fails at once.
  'network.proxy.type': 1,
  'network.proxy.share_proxy_settings': true,
  'network.proxy.http': '127.0.0.1',
  'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1',
  'network.proxy.ssl_port': 9,
  'network.proxy.no_proxies_on': '',
  // …but 127.0.0.1 / localhost stay direct, for local relays and chains.
  'network.proxy.allow_hijacking_localhost': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.captive-portal-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'app.update.auto': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.showPane': false,
  'browser.discovery.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.topsites.contile.enabled': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.updatePing.enabled': false,
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.bhrPing.enabled': false,
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'identity.fxaccounts.enabled': false,
  'services.sync.engine.addons': false,
};

export interface FirefoxExtensionBrowser {
  browser: Browser;
  profileDir: string;
  /** Opens the popup document in a tab (the same page the toolbar popup shows). */
  openPopup(): Promise<Page>;
  /** Reloads `page` as F5 does and waits for the new document. */
  reload(page: Page): Promise<void>;
  /** Closes Firefox and deletes the profile. */
  close(): Promise<void>;
}

/**
 * Firefox's BiDi sends no `load` event, runs no preload scripts and reports no
 * console output for `moz-extension://` documents (it does send `realmCreated`).
 * So puppeteer's `goto`/`reload` never resolve there: start them without waiting
 * and wait for the new document instead. Puppeteer's own sandbox in such a
 * document is then created by the first query that needs it, and the realm update
 * that follows can strand that query (an ARIA locator then hangs); one plain CSS
 * query in the sandbox lets that update happen first.
 */
async function settle(page: Page): Promise<void> {
  await page.waitForSelector('html');
}

async function navigate(page: Page, url: string): Promise<void> {
  page.goto(url).catch(() => {});
  await page.waitForFunction(
    (expected: string) => location.href === expected && document.readyState === 'complete',
    {},
    url,
  );
  await settle(page);
}

async function reload(page: Page): Promise<void> {
  const before = await page.evaluate(() => performance.timeOrigin);
  page.reload().catch(() => {});
  await page.waitForFunction(
    (previous: number) => performance.timeOrigin !== previous && document.readyState === 'complete',
    {},
    before,
  );
  await settle(page);
}

export interface LaunchFirefoxOptions {
  /**
   * How long the idle event page lives before Firefox suspends it (pref
   * `extensions.background.idle.timeout`, 30 s by default).
   */
  backgroundIdleTimeoutMs?: number;
}

export async function launchFirefoxWithExtension(
  executablePath: string,
  options: LaunchFirefoxOptions = {},
): Promise<FirefoxExtensionBrowser> {
  const profileDir = await mkdtemp(join(tmpdir(), 'cairn-firefox-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: true,
      userDataDir: profileDir,
      // Release builds ignore puppeteer's `services.settings.server` override (a
      // data: URL) and fetch remote settings from Mozilla unless this is set.
      env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
      // Lets BiDi navigate top-level tabs to privileged (moz-extension://) pages.
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: {
        ...OFFLINE_PREFS,
        ...(options.backgroundIdleTimeoutMs === undefined
          ? {}
          : { 'extensions.background.idle.timeout': options.backgroundIdleTimeoutMs }),
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: EXTENSION_UUID }),
      },
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  const close = async () => {
    await browser.close().catch(() => {});
    await rm(profileDir, { recursive: true, force: true });
  };
  try {
    const installed = await browser.installExtension(FIREFOX_EXTENSION_DIR);
    if (installed !== GECKO_ID)
      throw new Error(`installExtension returned "${installed}", expected ${GECKO_ID}`);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    browser,
    profileDir,
    async openPopup() {
      const page = await browser.newPage();
      await navigate(page, `${EXTENSION_BASE_URL}popup.html`);
      return page;
    },
    reload,
    close,
  };
}

/** The part of the WebExtension API these helpers use inside extension pages. */
interface ExtensionPageGlobals {
  browser: {
    runtime: { getURL(path: string): string };
    extension: { getViews(): Window[] };
  };
}

/** `runtime.getURL('/')` as the extension page sees it. */
export function extensionBaseUrl(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as ExtensionPageGlobals).browser.runtime.getURL('/'));
}

/** Firefox's document for a `background.scripts` event page. */
const BACKGROUND_PAGE_PATH = '/_generated_background_page.html';

/**
 * Whether the extension's event page is running, asked from one of its pages.
 * `extension.getViews()` lists it without waking it (a message would).
 */
export function isBackgroundRunning(page: Page): Promise<boolean> {
  return page.evaluate(
    (path: string) =>
      (globalThis as unknown as ExtensionPageGlobals).browser.extension
        .getViews()
        .some((view) => view.location.pathname === path),
    BACKGROUND_PAGE_PATH,
  );
}

/** Waits until Firefox has suspended the idle event page. */
export async function waitForBackgroundSuspended(page: Page): Promise<void> {
  await page.waitForFunction(
    (path: string) =>
      !(globalThis as unknown as ExtensionPageGlobals).browser.extension
        .getViews()
        .some((view) => view.location.pathname === path),
    { polling: 100 },
    BACKGROUND_PAGE_PATH,
  );
}
