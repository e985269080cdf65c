/**
 * Anchoring costs, measured in one run:
 *   - gas of `Anchor.anchor(root, count, manifestCid)` for batches of 1, 100 and 10,000 messages
 *     on an in-process Hardhat chain (the real compiled contract), and per message;
 *   - building the Merkle tree of 100,000 messages (leaf hashing included): Cairn's builder with
 *     @noble/hashes (what runs anywhere) and with the WebAssembly keccak the relay uses, against
 *     @openzeppelin/merkle-tree's `StandardMerkleTree.of`, the reference, checked for equal roots;
 *   - verifying one proof of depth 17 off chain (recompute the leaf, walk the proof), Cairn
 *     against `StandardMerkleTree.verify`.
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { bytesToHex, type Hex, toHex } from 'viem';
import { anchorLeaf } from '../src/chain/anchor-leaf.ts';
import { anchorAbi, anchorBytecode } from '../src/chain/contract-artifacts.ts';
import { type Keccak256, MerkleTree, verifyMerkleProof } from '../src/chain/merkle-tree.ts';
import { createWasmKeccak256 } from '../src/relay/wasm-keccak.ts';
import { inProcessChain } from '../test/support/in-process-chain.ts';
import { percentile } from './stats.ts';
import type { Table } from './table.ts';

/** Gas per message at 10,000 messages a batch must stay within this. */
export const GAS_PER_MESSAGE_TARGET = 6;
/** Building the tree of 100,000 leaves must take at most this long, ms. */
export const TREE_BUILD_TARGET_MS = 1500;

const BATCH_SIZES = [1, 100, 10_000] as const;
const TREE_LEAVES = 100_000;
const TYPES = ['bytes32', 'string'];
/** A CIDv1 (raw, sha2-256) as bytes: the size of a real manifest CID. */
const MANIFEST_CID = toHex(
  new TextEncoder().encode('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'),
);

export interface AnchoringResult {
  gas: { messages: number; gasUsed: number }[];
  tree: { name: string; ms: number; runs: number }[];
  verify: { name: string; microseconds: number }[];
}

function messages(count: number, salt: number): [Hex, string][] {
  return Array.from({ length: count }, (_, i) => [
    `0x${(salt * 10_000_000 + i).toString(16).padStart(64, '0')}`,
    `/xmtp/0/m-${(i % 997).toString(16).padStart(64, 'b')}/proto`,
  ]);
}

function buildTree(values: [Hex, string][], keccak?: Keccak256): MerkleTree {
  return MerkleTree.fromLeaves(
    values.map(([id, topic]) => anchorLeaf(id, topic, keccak)),
    keccak,
  );
}

function timeMs(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

async function measureGas(log: (line: string) => void): Promise<AnchoringResult['gas']> {
  log('anchoring: gas of anchor() on an in-process Hardhat chain…');
  const chain = await inProcessChain();
  try {
    const wallet = chain.walletFor(chain.accounts[0]!);
    const deployed = await chain.publicClient.waitForTransactionReceipt({
      hash: await wallet.deployContract({ abi: anchorAbi, bytecode: anchorBytecode }),
    });
    const address = deployed.contractAddress!;
    const out: AnchoringResult['gas'] = [];
    // The contract's first batch also sets its batch counter from zero (+17,100 gas once): the
    // rows measure batches after it.
    const warmUp = bytesToHex(buildTree(messages(1, 99)).root);
    await chain.publicClient.waitForTransactionReceipt({
      hash: await wallet.writeContract({
        address,
        abi: anchorAbi,
        functionName: 'anchor',
        args: [warmUp, 1, MANIFEST_CID],
      }),
    });
    for (const [i, size] of BATCH_SIZES.entries()) {
      const root = bytesToHex(buildTree(messages(size, i + 1)).root);
      const hash = await wallet.writeContract({
        address,
        abi: anchorAbi,
        functionName: 'anchor',
        args: [root, size, MANIFEST_CID],
      });
      const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
      out.push({ messages: size, gasUsed: Number(receipt.gasUsed) });
    }
    return out;
  } finally {
    await chain.close();
  }
}

export async function benchAnchoring({
  runs,
  log,
}: {
  runs: number;
  log: (line: string) => void;
}): Promise<AnchoringResult> {
  const gas = await measureGas(log);
  const values = messages(TREE_LEAVES, 9);
  const wasm = await createWasmKeccak256();
  const treeRuns = Math.min(runs, 5);
  const tree: AnchoringResult['tree'] = [];
  log(`anchoring: trees of ${TREE_LEAVES.toLocaleString('en-US')} leaves (${treeRuns} runs per builder)…`);
  let root = '';
  for (const [name, keccak] of [
    ['Cairn, @noble/hashes keccak (extension, anywhere)', undefined],
    ['Cairn, WebAssembly keccak (relay)', wasm],
  ] as const) {
    const times: number[] = [];
    for (let run = 0; run < treeRuns; run++)
      times.push(timeMs(() => (root = bytesToHex(buildTree(values, keccak).root))));
    tree.push({ name, ms: percentile(times, 50), runs: treeRuns });
  }
  log('anchoring: the same tree with @openzeppelin/merkle-tree (tens of seconds)…');
  let reference: StandardMerkleTree<[Hex, string]> | undefined;
  const ozMs = timeMs(() => {
    reference = StandardMerkleTree.of(values, TYPES);
  });
  if (reference?.root !== root) throw new Error('@openzeppelin/merkle-tree computed another root');
  tree.push({ name: 'reference: @openzeppelin/merkle-tree StandardMerkleTree.of', ms: ozMs, runs: 1 });

  const ours = buildTree(values);
  const [id, topic] = values[12_345]!;
  const leaf = anchorLeaf(id, topic);
  const proof = ours.proof(leaf);
  const proofHex = proof.map((node) => bytesToHex(node));
  const verifications = 2000;
  const perVerify = (work: () => boolean) => {
    for (let i = 0; i < 100; i++) if (!work()) throw new Error('a proof did not verify');
    return (
      (timeMs(() => {
        for (let i = 0; i < verifications; i++) work();
      }) *
        1000) /
      verifications
    );
  };
  const verify = [
    {
      name: `Cairn: leaf from (id, topic) + depth-${proof.length} proof (@noble/hashes)`,
      microseconds: perVerify(() => verifyMerkleProof(ours.root, anchorLeaf(id, topic), proof)),
    },
    {
      name: 'reference: @openzeppelin/merkle-tree StandardMerkleTree.verify',
      microseconds: perVerify(() => StandardMerkleTree.verify(root, TYPES, [id, topic], proofHex)),
    },
  ];
  return { gas, tree, verify };
}

export function anchoringTables(result: AnchoringResult): Table[] {
  return [
    {
      title: 'Anchoring gas: Anchor.anchor(root, count, manifestCid), in-process Hardhat (EDR), solc 0.8.37',
      columns: [
        { header: 'messages in the batch' },
        { header: 'gas used', align: 'right' },
        { header: 'gas per message', align: 'right' },
      ],
      rows: result.gas.map(({ messages: count, gasUsed }) => [
        count.toLocaleString('en-US'),
        gasUsed.toLocaleString('en-US'),
        (gasUsed / count).toLocaleString('en-US', { maximumFractionDigits: 1 }),
      ]),
      notes: [
        'Includes the 21,000 gas of the transaction itself; the manifest CID is 59 bytes (a CIDv1 string).',
      ],
    },
    {
      title: `Merkle tree of ${TREE_LEAVES.toLocaleString('en-US')} messages (leaf hashing included), Node ${process.version}`,
      columns: [
        { header: 'builder' },
        { header: 'runs', align: 'right' },
        { header: 'median ms', align: 'right' },
      ],
      rows: result.tree.map(({ name, ms, runs }) => [name, String(runs), ms.toFixed(0)]),
      notes: ['All builders produce the same root (checked).'],
    },
    {
      title: 'Verifying one proof off chain (the extension recomputes the leaf from the message it holds)',
      columns: [{ header: 'verifier' }, { header: 'µs per proof', align: 'right' }],
      rows: result.verify.map(({ name, microseconds }) => [name, microseconds.toFixed(1)]),
    },
  ];
}

export function anchoringTargetLines(result: AnchoringResult | undefined, reason: string): string[] {
  if (!result) return [`Anchoring targets: not measured (${reason})`];
  const at10k = result.gas.find((row) => row.messages === 10_000);
  const perMessage = at10k ? at10k.gasUsed / at10k.messages : Number.NaN;
  const relay = result.tree.find((row) => row.name.includes('WebAssembly'));
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  return [
    `Gas per message at 10,000 a batch ≤ ${GAS_PER_MESSAGE_TARGET}: ${perMessage.toFixed(1)} — ${met(perMessage <= GAS_PER_MESSAGE_TARGET)}`,
    `Tree of 100,000 leaves ≤ ${TREE_BUILD_TARGET_MS} ms: ${relay ? relay.ms.toFixed(0) : '—'} ms (relay builder) — ${met(
      relay !== undefined && relay.ms <= TREE_BUILD_TARGET_MS,
    )}`,
  ];
}
