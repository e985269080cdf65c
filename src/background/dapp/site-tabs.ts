/**
 * Which tab shows which site, so events reach a site even after the service worker
 * stopped and its ports closed: an MV3 worker sleeps after ~30 s idle, and a bridge
 * only reconnects on its page's next request. Events go through `tabs.sendMessage`
 * (which wakes nothing on the page side and needs no permission); the record lives
 * in memory-only session storage, so it survives worker restarts but not the browser.
 */
import * as v from 'valibot';
import type { KeyValueStore } from '../../keyring/key-value-store';
import { Mutex } from '../../keyring/mutex';
import type { ProviderEventName } from '../../provider/channel';

const STORAGE_KEY = 'dapp.tabs';
const MAX_TABS = 500;

/** What the bridge in a tab receives; it checks `origin` against its own page. */
export interface SiteEventMessage {
  type: 'cairn-event';
  origin: string;
  event: ProviderEventName;
  data: unknown;
}

/** Sends to the top frame of a tab; rejects when nothing listens there (tab closed, navigated away). */
export type SendToTab = (tabId: number, message: SiteEventMessage) => Promise<void>;

const recordSchema = v.record(v.pipe(v.string(), v.regex(/^\d+$/)), v.pipe(v.string(), v.maxLength(2048)));

export class SiteTabs {
  readonly #store: KeyValueStore;
  readonly #send: SendToTab;
  readonly #writes = new Mutex();

  constructor(store: KeyValueStore, send: SendToTab) {
    this.#store = store;
    this.#send = send;
  }

  async #read(): Promise<Record<string, string>> {
    const parsed = v.safeParse(recordSchema, (await this.#store.get(STORAGE_KEY)) ?? {});
    return parsed.success ? parsed.output : {};
  }

  /** The tab now shows `origin` (its bridge just connected). */
  remember(tabId: number, origin: string): Promise<void> {
    return this.#writes.runExclusive(async () => {
      const tabs = await this.#read();
      if (tabs[tabId] === origin) return;
      delete tabs[tabId];
      const kept = Object.entries(tabs).slice(-(MAX_TABS - 1));
      await this.#store.set(STORAGE_KEY, { ...Object.fromEntries(kept), [tabId]: origin });
    });
  }

  forget(tabId: number): Promise<void> {
    return this.#writes.runExclusive(async () => {
      const tabs = await this.#read();
      if (!(tabId in tabs)) return;
      delete tabs[tabId];
      await this.#store.set(STORAGE_KEY, tabs);
    });
  }

  /** Origins with at least one known tab. */
  async origins(): Promise<string[]> {
    return [...new Set(Object.values(await this.#read()))];
  }

  /** Delivers an event to every tab of `origin`; tabs that no longer answer are forgotten. */
  async emit(origin: string, event: ProviderEventName, data: unknown): Promise<void> {
    const tabs = await this.#read();
    const message: SiteEventMessage = { type: 'cairn-event', origin, event, data };
    await Promise.all(
      Object.entries(tabs)
        .filter(([, tabOrigin]) => tabOrigin === origin)
        .map(([tabId]) => this.#send(Number(tabId), message).catch(() => this.forget(Number(tabId)))),
    );
  }
}
