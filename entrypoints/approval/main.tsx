import { render } from 'preact';
import { browser } from 'wxt/browser';
import { ApprovalApp } from '../../src/ui/approval/ApprovalApp';
import { FramedRefusal, isFramed } from '../../src/ui/approval/frame-guard';
import { BackgroundClient } from '../../src/ui/background-client';
import '../../src/ui/styles.css';

function main() {
  const root = document.getElementById('app');
  if (!root) throw new Error('approval.html has no #app element');
  // Inside a frame a page could overlay or clickjack the buttons: do nothing at all.
  if (isFramed(window)) {
    render(<FramedRefusal />, root);
    return;
  }
  const id = new URLSearchParams(location.search).get('id') ?? '';
  const client = new BackgroundClient((name) => browser.runtime.connect({ name }));
  render(<ApprovalApp client={client} approvalId={id} closeWindow={() => window.close()} />, root);
}

main();
