import { defineContentScript } from 'wxt/utils/define-content-script';
import { CairnProvider, windowTransport } from '../src/provider/cairn-provider';
import { announceProvider, cairnProviderInfo, installLegacyGlobal } from '../src/provider/eip6963';

// The page-facing provider, in the page's own JavaScript world.
export default defineContentScript({
  matches: ['http://*/*', 'https://*/*'],
  world: 'MAIN',
  runAt: 'document_start',
  main() {
    const provider = Object.freeze(new CairnProvider(windowTransport(window)));
    installLegacyGlobal(window, provider);
    announceProvider(window, cairnProviderInfo(crypto.randomUUID()), provider);
  },
});
