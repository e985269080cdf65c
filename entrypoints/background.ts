import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { BrowserAlarmScheduler } from '../src/background/browser-alarm-scheduler';
import { BrowserKeyValueStore } from '../src/background/browser-key-value-store';
import type { UiPort } from '../src/background/ui-port-server';
import { createWalletBackground } from '../src/background/wallet-background';

export default defineBackground({
  type: 'module',
  main() {
    // Chrome's default already hides storage.session from content scripts; say it explicitly.
    void browser.storage.session.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
    const background = createWalletBackground({
      localStore: new BrowserKeyValueStore(browser.storage.local),
      sessionStore: new BrowserKeyValueStore(browser.storage.session),
      alarms: new BrowserAlarmScheduler(browser.alarms),
      extensionId: browser.runtime.id,
      extensionBaseUrl: browser.runtime.getURL('/'),
      log: (message) => console.warn(`[cairn] ${message}`),
    });
    // Listeners are registered synchronously so a restarted worker receives the waking event.
    browser.runtime.onConnect.addListener((port) => background.handleConnect(port as UiPort));
    browser.alarms.onAlarm.addListener((alarm) => void background.handleAlarm(alarm.name));
  },
});
