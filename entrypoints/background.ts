import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { AnchorDb } from '../src/background/anchoring/anchor-db';
import { BrowserAlarmScheduler } from '../src/background/browser-alarm-scheduler';
import { BrowserApprovalWindows } from '../src/background/browser-approval-windows';
import { BrowserKeyValueStore } from '../src/background/browser-key-value-store';
import {
  browserNotifier,
  openBrowserMessageDb,
  startBrowserNetwork,
} from '../src/background/messaging/browser-messaging';
import { createWalletBackground, type RuntimePort } from '../src/background/wallet-background';

export default defineBackground({
  type: 'module',
  main() {
    // Chrome's default already hides storage.session from content scripts; say it explicitly.
    browser.storage.session
      .setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })
      ?.catch(() => console.warn('[cairn] could not restrict storage.session to trusted contexts'));
    const localStore = new BrowserKeyValueStore(browser.storage.local);
    const log = (message: string) => console.warn(`[cairn] ${message}`);
    const background = createWalletBackground({
      localStore,
      sessionStore: new BrowserKeyValueStore(browser.storage.session),
      alarms: new BrowserAlarmScheduler(browser.alarms),
      windows: new BrowserApprovalWindows(browser.windows, browser.runtime.getURL('/approval.html')),
      sendToTab: async (tabId, message) => {
        await browser.tabs.sendMessage(tabId, message, { frameId: 0 });
      },
      extensionId: browser.runtime.id,
      extensionBaseUrl: browser.runtime.getURL('/'),
      log,
      messaging: {
        openDb: (sealKey) => openBrowserMessageDb(indexedDB, sealKey),
        openAnchorDb: () => AnchorDb.open(indexedDB),
        startNetwork: (signal) => startBrowserNetwork(localStore, log, signal),
        notifier: browserNotifier({
          setBadgeText: (details) => browser.action.setBadgeText(details),
          setBadgeBackgroundColor: (details) => browser.action.setBadgeBackgroundColor(details),
          createNotification: (id, options) => browser.notifications.create(id, options),
          iconUrl: browser.runtime.getURL('/icon/128.png'),
        }),
      },
    });
    // Listeners are registered synchronously so a restarted worker receives the waking event.
    browser.runtime.onConnect.addListener((port) => background.handleConnect(port as RuntimePort));
    browser.alarms.onAlarm.addListener((alarm) => {
      background.handleAlarm(alarm.name).catch(() => console.warn(`[cairn] alarm ${alarm.name} failed`));
    });
    browser.windows.onRemoved.addListener((windowId) => background.handleWindowRemoved(windowId));
    browser.tabs.onRemoved.addListener((tabId) => background.handleTabRemoved(tabId));
  },
});
