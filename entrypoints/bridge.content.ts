import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { startContentBridge } from '../src/provider/content-bridge';

// Isolated-world relay between the page's provider and the background.
export default defineContentScript({
  matches: ['http://*/*', 'https://*/*'],
  runAt: 'document_start',
  main() {
    startContentBridge({
      win: window,
      connect: (name) => browser.runtime.connect({ name }),
      onBackgroundMessage: (listener) =>
        browser.runtime.onMessage.addListener((message: unknown) => {
          listener(message);
          return undefined; // no answer
        }),
      extensionAlive: () => Boolean(browser.runtime?.id),
    });
  },
});
