/**
 * Anchoring through chain faults, end to end: two browser profiles, the relay daemon anchoring,
 * and the Hardhat devnet behind an RPC proxy on 8545 (the devnet URL both the extension and the
 * relay use), so the test can take the RPC away; the test itself drives the node directly.
 *   - A reorg (evm_snapshot before the message, evm_revert after it was verified) removes the
 *     anchor transaction: each wallet's re-check sends the message back to "Anchoring…", the
 *     relay's reorg watch sends the batch back to pending and submits it again, and the message
 *     ends "Verified on chain" again, in a new block.
 *   - An RPC outage while a message waits for its batch: nothing is marked anchored while the
 *     chain cannot be read; once it answers, the message is verified and its batch is on chain
 *     exactly once.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Page } from 'playwright-core';
import { createPublicClient, type Hex, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_PORT, type HardhatNode, startHardhatNode } from '../../scripts/devnet.ts';
import { DEVNET_CONTRACTS } from '../../src/chain/anchoring-contracts.ts';
import { anchorAbi } from '../../src/chain/contract-artifacts.ts';
import { freePort } from '../support/free-port.ts';
import { jsonRpc } from '../support/json-rpc.ts';
import { deployDevnetContracts, devnetAnchoring } from './support/anchoring-devnet.ts';
import { newProfileDir } from './support/extension-browser.ts';
import {
  anchorLabels,
  chatTexts,
  type MessengerUser,
  onboardToMessages,
  openConversation,
  sendMessage,
  startConversation,
} from './support/messenger-flows.ts';
import {
  SECOND_MNEMONIC as BOB_MNEMONIC,
  MESSENGER_PASSWORD as PASSWORD,
  TEST_MNEMONIC,
} from './support/popup-flows.ts';
import { newRelayDataDir, type RelayDaemon, startRelay } from './support/relay-daemon.ts';
import { type RpcProxy, startRpcProxy } from './support/rpc-proxy.ts';

const VERIFIED = 'Anchoring: Verified on chain';
const PENDING = 'Anchoring: Anchoring…';

let node: HardhatNode;
let proxy: RpcProxy;
let relay: RelayDaemon;
let relayDir: string;
let alice: MessengerUser;
let bob: MessengerUser;

/** Raw JSON-RPC straight to the node, past the proxy (evm_snapshot, evm_revert, hardhat_mine, …). */
function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  return jsonRpc(node.url, method, params);
}

/** The `Anchored` events of `root` on the node's canonical chain (eth_getLogs). */
function anchoredEvents(root: Hex) {
  return createPublicClient({ transport: http(node.url) }).getContractEvents({
    address: DEVNET_CONTRACTS.anchor,
    abi: anchorAbi,
    eventName: 'Anchored',
    args: { root },
    fromBlock: 0n,
  });
}

/** What the open chat's bubble `index` shows of its anchor (present once a relay gave a proof). */
async function anchorShown(popup: Page, index: number) {
  const values = await popup.locator('.bubble details.anchor').nth(index).locator('dd').allTextContents();
  const [batch, block, , tx, root] = values;
  if (!batch || !block || !tx || !root) throw new Error(`bubble ${index} shows no anchor`);
  return { batch, block: BigInt(block), tx: tx as Hex, root: root as Hex };
}

async function bothShow(labels: string[], timeout: number): Promise<void> {
  await Promise.all(
    [alice, bob].map((person) =>
      expect.poll(() => anchorLabels(person.popup), { timeout, interval: 500 }).toEqual(labels),
    ),
  );
}

/** How many times the relay logged a batch anchored. */
function anchoredLogLines(): number {
  return relay.output().match(/anchoring: batch anchored/g)?.length ?? 0;
}

beforeAll(async () => {
  node = await startHardhatNode({ port: await freePort() });
  proxy = await startRpcProxy({ port: DEVNET_PORT, upstream: node.url });
  await deployDevnetContracts(proxy.url);
  relayDir = await newRelayDataDir();
  relay = await startRelay(relayDir, { anchoring: devnetAnchoring(proxy.url) });
  alice = await onboardToMessages(await newProfileDir(), TEST_MNEMONIC, PASSWORD);
  bob = await onboardToMessages(await newProfileDir(), BOB_MNEMONIC, PASSWORD);
});

afterAll(async () => {
  await alice?.browser.close();
  await bob?.browser.close();
  await relay?.stop();
  await proxy?.close();
  await node?.stop();
});

describe('anchoring through chain faults', () => {
  it('a reorg removing the anchor transaction: back to "Anchoring…", then anchored again and verified', async () => {
    const started = Date.now();
    const logFrom = relay.output().length;
    const snapshot = await rpc('evm_snapshot');
    await startConversation(alice.popup, bob.address);
    await sendMessage(alice.popup, 'Anchor me, reorg or not');
    await openConversation(bob.popup, alice.address);
    await expect
      .poll(() => chatTexts(bob.popup), { timeout: 20_000 })
      .toEqual(['in:Anchor me, reorg or not']);
    await bothShow([VERIFIED], 60_000);
    const first = await anchorShown(alice.popup, 0);
    expect(await anchorShown(bob.popup, 0)).toEqual(first);
    expect((await anchoredEvents(first.root)).map((event) => event.transactionHash)).toEqual([first.tx]);

    // The anchoring block goes away, deeper than the relay's one confirmation, and the chain grows
    // past it at once. Automine off: the relay's new transaction waits in the mempool, so the
    // wallets' once-a-minute re-check sees the root gone before it is anchored again.
    await rpc('evm_setAutomine', [false]);
    try {
      await rpc('evm_revert', [snapshot]);
      await rpc('hardhat_mine', ['0x3']);
      expect(await anchoredEvents(first.root)).toEqual([]);
      await bothShow([PENDING], 100_000);
      expect(relay.output().slice(logFrom)).toContain(
        'a reorg removed an anchored batch; submitting it again',
      );
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
    await rpc('evm_mine'); // mines the relay's waiting transaction
    await bothShow([VERIFIED], 90_000);
    const again = await anchorShown(alice.popup, 0);
    expect(again.root).toBe(first.root);
    expect(again.block).toBeGreaterThan(first.block);
    expect(await anchorShown(bob.popup, 0)).toEqual(again);
    const events = await anchoredEvents(first.root);
    expect(events.map((event) => [event.transactionHash, event.blockNumber])).toEqual([
      [again.tx, again.block],
    ]);
    console.log(`reorg case: ${Math.round((Date.now() - started) / 1000)} s`);
  }, 240_000);

  it('an RPC outage delays anchoring but marks nothing: pending while down, verified once, anchored once', async () => {
    const started = Date.now();
    const anchoredBefore = anchoredLogLines();
    const logFrom = relay.output().length;
    const refusedBefore = { ...proxy.refused };
    proxy.setDown(true);
    try {
      await sendMessage(alice.popup, 'Sent while the chain is unreachable');
      await expect
        .poll(() => chatTexts(bob.popup), { timeout: 20_000 })
        .toEqual(['in:Anchor me, reorg or not', 'in:Sent while the chain is unreachable']);
      // The badge appears once the wallet follows the message (the relay stored it).
      await bothShow([VERIFIED, PENDING], 20_000);
      // While the RPC is down nothing may move past "Anchoring…" (and the verified one stays verified).
      const downUntil = Date.now() + 30_000;
      while (Date.now() < downUntil) {
        for (const person of [alice, bob])
          expect(await anchorLabels(person.popup)).toEqual([VERIFIED, PENDING]);
        await alice.popup.waitForTimeout(500);
      }
      expect(anchoredLogLines()).toBe(anchoredBefore);
      // The relay did try the chain and was refused (the outage was real for it).
      expect(proxy.refused.node).toBeGreaterThan(refusedBefore.node);
      expect(relay.output().slice(logFrom)).toMatch(/anchoring: \w+; retrying in \d+ ms/);
      // Its reorg watch could not read the first batch either, and un-anchored nothing.
      expect(relay.output().slice(logFrom)).toContain('the watch could not read the chain; nothing changes');
      expect(relay.output().slice(logFrom)).not.toContain('a reorg removed');
    } finally {
      proxy.setDown(false);
    }
    console.log(
      `outage refused: ${JSON.stringify(proxy.refused)}, forwarded: ${JSON.stringify(proxy.forwarded)}`,
    );

    await bothShow([VERIFIED, VERIFIED], 150_000);
    const shown = await anchorShown(alice.popup, 1);
    expect(await anchorShown(bob.popup, 1)).toEqual(shown);
    const events = await anchoredEvents(shown.root);
    expect(events.map((event) => [event.transactionHash, event.blockNumber])).toEqual([
      [shown.tx, shown.block],
    ]);
    expect(anchoredLogLines()).toBe(anchoredBefore + 1);
    // The relay's ledger holds that one anchoring.
    const ledger = new DatabaseSync(join(relayDir, 'anchoring.sqlite'), { readOnly: true });
    try {
      const rows = ledger
        .prepare('SELECT status, tx_hash FROM anchor_batches WHERE lower(hex(root)) = ?')
        .all(shown.root.slice(2).toLowerCase());
      expect(rows.map((row) => ({ ...row }))).toEqual([{ status: 'anchored', tx_hash: shown.tx }]);
    } finally {
      ledger.close();
    }
    // The extension reads the chain through the proxy too.
    expect(proxy.forwarded.browser).toBeGreaterThan(0);
    console.log(`outage case: ${Math.round((Date.now() - started) / 1000)} s`);
  }, 240_000);
});
