import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { BrowserAlarmScheduler } from '../src/background/browser-alarm-scheduler';
import { BrowserApprovalWindows } from '../src/background/browser-approval-windows';
import { BrowserKeyValueStore } from '../src/background/browser-key-value-store';
import { createWalletBackground, type RuntimePort } from '../src/background/wallet-background';

export default defineBackground({
  type: 'module',
  main() {
    // Chrome's default already hides storage.session from content scripts; say it explicitly.
    browser.storage.session
      .setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })
      ?.catch(() => console.warn('[cairn] could not restrict storage.session to trusted contexts'));
    const background = createWalletBackground({
      localStore: new BrowserKeyValueStore(browser.storage.local),
      sessionStore: new BrowserKeyValueStore(browser.storage.session),
      alarms: new BrowserAlarmScheduler(browser.alarms),
      windows: new BrowserApprovalWindows(browser.windows, browser.runtime.getURL('/approval.html')),
      sendToTab: async (tabId, message) => {
        await browser.tabs.sendMessage(tabId, message, { frameId: 0 });
      },
      extensionId: browser.runtime.id,
      extensionBaseUrl: browser.runtime.getURL('/'),
      log: (message) => console.warn(`[cairn] ${message}`),
    });
    // Listeners are registered synchronously so a restarted worker receives the waking event.
    browser.runtime.onConnect.addListener((port) => background.handleConnect(port as RuntimePort));
    browser.alarms.onAlarm.addListener((alarm) => {
      background.handleAlarm(alarm.name).catch(() => console.warn('[cairn] auto-lock failed'));
    });
    browser.windows.onRemoved.addListener((windowId) => background.handleWindowRemoved(windowId));
    browser.tabs.onRemoved.addListener((tabId) => background.handleTabRemoved(tabId));
  },
});
