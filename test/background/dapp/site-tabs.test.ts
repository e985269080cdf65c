import { describe, expect, it } from 'vitest';
import { type SiteEventMessage, SiteTabs } from '../../../src/background/dapp/site-tabs';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';

function setup(closedTabs = new Set<number>()) {
  const store = new MemoryKeyValueStore();
  const sent: Array<[number, SiteEventMessage]> = [];
  const tabs = new SiteTabs(store, async (tabId, message) => {
    if (closedTabs.has(tabId))
      throw new Error('Could not establish connection. Receiving end does not exist.');
    sent.push([tabId, message]);
  });
  return { store, sent, tabs };
}

describe('SiteTabs', () => {
  it("sends an event to every tab of the site, and only that site's", async () => {
    const { tabs, sent } = setup();
    await tabs.remember(1, 'https://dapp.example');
    await tabs.remember(2, 'https://dapp.example');
    await tabs.remember(3, 'https://other.example');
    await tabs.emit('https://dapp.example', 'accountsChanged', []);
    expect(sent.map(([tabId]) => tabId).sort()).toEqual([1, 2]);
    expect(sent[0]?.[1]).toEqual({
      type: 'cairn-event',
      origin: 'https://dapp.example',
      event: 'accountsChanged',
      data: [],
    });
    expect((await tabs.origins()).sort()).toEqual(['https://dapp.example', 'https://other.example']);
  });

  it('survives a worker restart (a new instance over the same session store)', async () => {
    const first = setup();
    await first.tabs.remember(5, 'https://dapp.example');
    const sent: number[] = [];
    const restarted = new SiteTabs(first.store, async (tabId) => void sent.push(tabId));
    await restarted.emit('https://dapp.example', 'chainChanged', '0x1');
    expect(sent).toEqual([5]);
  });

  it('forgets tabs that no longer answer, closed tabs, and a tab that moved to another site', async () => {
    const { tabs, sent } = setup(new Set([1]));
    await tabs.remember(1, 'https://dapp.example');
    await tabs.remember(2, 'https://dapp.example');
    await tabs.emit('https://dapp.example', 'accountsChanged', []);
    expect(await tabs.origins()).toEqual(['https://dapp.example']);
    await tabs.remember(2, 'https://other.example');
    expect(await tabs.origins()).toEqual(['https://other.example']);
    await tabs.forget(2);
    expect(await tabs.origins()).toEqual([]);
    expect(sent.map(([tabId]) => tabId)).toEqual([2]);
  });

  it('treats unreadable stored data as no tabs', async () => {
    const { tabs, store } = setup();
    await store.set('dapp.tabs', { notANumber: 'x', 3: 42 });
    expect(await tabs.origins()).toEqual([]);
  });
});
