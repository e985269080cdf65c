/**
 * Checking a message's anchoring proof inside the extension: the Hardhat devnet with the
 * contracts, the relay daemon anchoring on it, two Chromium profiles with the built extension.
 * Alice sends Bob a message; once it is "Verified on chain", her popup page asks the worker to
 * check it again (`verifyMessageAnchor`, what "Check again on chain" does) `checks` times, one
 * after the other. The worker times the whole check (recompute the leaf, walk the proof, read
 * `anchoredAt(root)` over JSON-RPC, store the result) and the chain read within it; the page
 * times the round trip. The same proof walk in Node, and @openzeppelin/merkle-tree's, are in
 * the off-chain verification table of the same run (`anchoring.ts`).
 */
import type { Page } from 'playwright-core';
import { DEVNET_PORT, startHardhatNode } from '../scripts/devnet.ts';
import { deployDevnetContracts, devnetAnchoring } from '../test/e2e/support/anchoring-devnet.ts';
import { newProfileDir } from '../test/e2e/support/extension-browser.ts';
import { onboardToMessages, sendMessage, startConversation } from '../test/e2e/support/messenger-flows.ts';
import { MESSENGER_PASSWORD, SECOND_MNEMONIC, TEST_MNEMONIC } from '../test/e2e/support/popup-flows.ts';
import { newRelayDataDir, startRelay } from '../test/e2e/support/relay-daemon.ts';
import { installPort } from './messaging-pages.ts';
import { percentile } from './stats.ts';
import type { Table } from './table.ts';

export interface ExtensionProofResult {
  checks: number;
  /** Page → worker → page, ms. */
  roundTripMs: number[];
  /** The whole check in the worker, ms. */
  workerMs: number[];
  /** The `anchoredAt` read within it, ms. */
  chainMs: number[];
}

interface CheckSample {
  roundTripMs: number;
  totalMs: number;
  chainMs: number;
  state: string;
}

/** Runs in Alice's popup page: the checks, one after the other. */
async function checkAll(args: { account: string; id: string; checks: number }): Promise<CheckSample[]> {
  const bench = (globalThis as unknown as { cairnBench: { call(m: string, p?: unknown): Promise<unknown> } })
    .cairnBench;
  const samples: CheckSample[] = [];
  for (let i = 0; i < args.checks; i++) {
    const started = performance.now();
    const answer = (await bench.call('verifyMessageAnchor', { account: args.account, id: args.id })) as {
      record: { state: string } | null;
      timing: { totalMs: number; chainMs: number } | null;
    };
    samples.push({
      roundTripMs: performance.now() - started,
      totalMs: answer.timing?.totalMs ?? Number.NaN,
      chainMs: answer.timing?.chainMs ?? Number.NaN,
      state: answer.record?.state ?? 'none',
    });
  }
  return samples;
}

async function waitVerified(page: Page, account: string, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await page.evaluate(
      async (args) => {
        const bench = (
          globalThis as unknown as { cairnBench: { call(m: string, p: unknown): Promise<unknown> } }
        ).cairnBench;
        const records = (await bench.call('getMessageAnchors', {
          account: args.account,
          ids: [args.id],
        })) as {
          state: string;
        }[];
        return records.map((record) => record.state);
      },
      { account, id },
    );
    if (states[0] === 'verified') return;
    if (Date.now() > deadline) throw new Error(`the message was not verified within ${timeoutMs} ms`);
    await page.waitForTimeout(500);
  }
}

export async function benchAnchoringExtension({
  chromiumPath,
  checks = 200,
  log,
}: {
  chromiumPath: string;
  checks?: number;
  log: (line: string) => void;
}): Promise<ExtensionProofResult> {
  process.env.CHROMIUM_PATH = chromiumPath;
  log('anchoring in the extension: devnet, contracts, anchoring relay, two browser profiles…');
  const devnet = await startHardhatNode({ port: DEVNET_PORT });
  const cleanups: (() => Promise<unknown>)[] = [() => devnet.stop()];
  try {
    await deployDevnetContracts(devnet.url);
    const relay = await startRelay(await newRelayDataDir(), { anchoring: devnetAnchoring(devnet.url) });
    cleanups.unshift(() => relay.stop());
    const alice = await onboardToMessages(await newProfileDir(), TEST_MNEMONIC, MESSENGER_PASSWORD);
    cleanups.unshift(() => alice.browser.close());
    const bob = await onboardToMessages(await newProfileDir(), SECOND_MNEMONIC, MESSENGER_PASSWORD);
    await startConversation(alice.popup, bob.address);
    await bob.browser.close(); // only Alice's worker runs while the checks are timed
    await sendMessage(alice.popup, 'How long does checking my proof take?');
    const id = await alice.popup.locator('.bubble.out').last().getAttribute('data-id');
    if (!id) throw new Error('the sent message has no id');
    await alice.popup.evaluate(installPort, 'cairn-ui');
    await waitVerified(alice.popup, alice.address, id, 90_000);
    log(`anchoring in the extension: message verified; timing ${checks} checks…`);
    const samples = await alice.popup.evaluate(checkAll, { account: alice.address, id, checks });
    const bad = samples.find((sample) => sample.state !== 'verified' || !Number.isFinite(sample.totalMs));
    if (bad) throw new Error(`a check did not verify the message (state ${bad.state})`);
    return {
      checks,
      roundTripMs: samples.map((s) => s.roundTripMs),
      workerMs: samples.map((s) => s.totalMs),
      chainMs: samples.map((s) => s.chainMs),
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

export function extensionProofTable(result: ExtensionProofResult, chromiumVersion: string): Table {
  const row = (name: string, values: number[]) => [
    name,
    percentile(values, 50).toFixed(2),
    percentile(values, 90).toFixed(2),
    percentile(values, 99).toFixed(2),
  ];
  const rest = result.workerMs.map((total, i) => total - (result.chainMs[i] ?? 0));
  return {
    title: `Checking one message's proof in the extension (${chromiumVersion}, ${result.checks} checks in a row)`,
    columns: [
      { header: 'step' },
      { header: 'p50 ms', align: 'right' },
      { header: 'p90 ms', align: 'right' },
      { header: 'p99 ms', align: 'right' },
    ],
    rows: [
      row('popup → worker check → popup ("Check again on chain")', result.roundTripMs),
      row('… the check in the worker', result.workerMs),
      row('… … anchoredAt(root) over JSON-RPC to the devnet', result.chainMs),
      row('… … the rest: leaf, proof walk, IndexedDB read and write', rest),
    ],
    notes: [
      "Extension pages and workers get a coarsened clock (0.1 ms): Node's figures for the proof walk alone are in the off-chain table above.",
    ],
  };
}
