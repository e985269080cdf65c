/**
 * Deploys the Anchor and KeyRegistry contracts (src/chain/contract-artifacts.ts) to a chain:
 *   - `npm start` deploys them on the fresh devnet from its first dev account, so they land at
 *     the fixed addresses of `DEVNET_CONTRACTS`;
 *   - `npm run contracts:deploy -- --network base-sepolia` (or `op-sepolia`, or `--rpc-url <url>`)
 *     deploys anywhere, with the deployer's key from the environment (`CAIRN_DEPLOYER_KEY`, 0x…),
 *     and prints the addresses (also written to deployments/<chainId>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type Address,
  bytesToHex,
  createPublicClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
} from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import type { AnchoringContracts } from '../src/chain/anchoring-contracts.ts';
import {
  anchorAbi,
  anchorBytecode,
  keyRegistryAbi,
  keyRegistryBytecode,
} from '../src/chain/contract-artifacts.ts';
import { PRESET_NETWORKS, toViemChain } from '../src/chain/networks.ts';

/** The first dev account's key (public: the "test … junk" phrase), for the devnet only. */
export const DEVNET_DEPLOYER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** The dev phrase's account the devnet relay anchors with: the last funded one, away from the wallet's. */
export function devnetAggregatorKey(): Hex {
  const key = mnemonicToAccount(DEV_PHRASE, { addressIndex: 19 }).getHdKey().privateKey;
  if (!key) throw new DeployError('no key for the devnet aggregator');
  return bytesToHex(key);
}

const DEV_PHRASE = 'test test test test test test test test test test test junk';

export class DeployError extends Error {
  override name = 'DeployError';
}

export interface DeployParameters {
  rpcUrl: string;
  privateKey: Hex;
  signal?: AbortSignal;
  /** Seconds to wait for each deployment's receipt. @default 120 */
  timeoutSeconds?: number;
}

/** Deploys both contracts (Anchor first) and waits for their receipts. */
export async function deployAnchoringContracts(params: DeployParameters): Promise<AnchoringContracts> {
  const account = privateKeyToAccount(params.privateKey);
  const transport = http(params.rpcUrl, { fetchOptions: params.signal ? { signal: params.signal } : {} });
  const publicClient = createPublicClient({ transport });
  const chainId = await publicClient.getChainId();
  const network = PRESET_NETWORKS.find((preset) => preset.chainId === chainId);
  const chain = network ? toViemChain(network) : undefined;
  const wallet = createWalletClient({ account, transport, ...(chain ? { chain } : {}) });
  const deployed: Address[] = [];
  let fromBlock = 0;
  for (const [abi, bytecode] of [
    [anchorAbi, anchorBytecode],
    [keyRegistryAbi, keyRegistryBytecode],
  ] as const) {
    params.signal?.throwIfAborted();
    const hash = await wallet.deployContract({ abi, bytecode, chain });
    const receipt = await publicClient.waitForTransactionReceipt({
      hash,
      timeout: (params.timeoutSeconds ?? 120) * 1000,
    });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new DeployError(`deployment transaction ${hash} failed`);
    }
    if (deployed.length === 0) fromBlock = Number(receipt.blockNumber);
    deployed.push(getAddress(receipt.contractAddress));
  }
  return { anchor: deployed[0]!, keyRegistry: deployed[1]!, fromBlock };
}

const USAGE =
  'usage: CAIRN_DEPLOYER_KEY=0x… npm run contracts:deploy -- (--network base-sepolia|op-sepolia | --rpc-url <url>)';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { network: { type: 'string' }, 'rpc-url': { type: 'string' } },
    strict: true,
  });
  const presets: Record<string, number> = { 'base-sepolia': 84532, 'op-sepolia': 11155420, devnet: 31337 };
  const preset = values.network === undefined ? undefined : presets[values.network];
  if (values.network !== undefined && preset === undefined)
    throw new DeployError(`unknown network\n${USAGE}`);
  const rpcUrl = values['rpc-url'] ?? PRESET_NETWORKS.find((n) => n.chainId === preset)?.rpcUrl;
  if (!rpcUrl) throw new DeployError(USAGE);
  const privateKey = process.env.CAIRN_DEPLOYER_KEY;
  if (!privateKey || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new DeployError(
      `CAIRN_DEPLOYER_KEY must hold the deployer's private key (0x + 64 hex digits)\n${USAGE}`,
    );
  }
  const contracts = await deployAnchoringContracts({ rpcUrl, privateKey: privateKey as Hex });
  const chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId();
  mkdirSync('deployments', { recursive: true });
  const record = { chainId, ...contracts };
  writeFileSync(`deployments/${chainId}.json`, `${JSON.stringify(record, null, 2)}\n`);
  console.log(
    `Anchor ${contracts.anchor}\nKeyRegistry ${contracts.keyRegistry}\nfrom block ${contracts.fromBlock}`,
  );
  console.log(`written to deployments/${chainId}.json`);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
