import { render } from 'preact';
import { browser } from 'wxt/browser';
import { App } from '../../src/ui/App';
import { BackgroundClient } from '../../src/ui/background-client';
import '../../src/ui/styles.css';

function main() {
  const root = document.getElementById('app');
  if (!root) throw new Error('popup.html has no #app element');
  const client = new BackgroundClient((name) => browser.runtime.connect({ name }));
  render(<App client={client} />, root);
}

main();
