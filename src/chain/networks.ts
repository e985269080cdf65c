/**
 * EVM networks the wallet can use: the local devnet by default, presets for
 * Base Sepolia and OP Sepolia, and networks users add (EIP-3085 shape).
 */
import * as v from 'valibot';
import { type Chain, defineChain } from 'viem';
import { type AnchoringContracts, DEVNET_CONTRACTS } from './anchoring-contracts.ts';

export interface Network {
  chainId: number;
  name: string;
  rpcUrl: string;
  currencySymbol: string;
  blockExplorerUrl?: string;
  /** Presets cannot be removed or edited. */
  preset: boolean;
  /** The Anchor and KeyRegistry contracts, where deployed. */
  anchoring?: AnchoringContracts;
}

export const DEVNET: Network = {
  chainId: 31337,
  name: 'Cairn devnet',
  rpcUrl: 'http://127.0.0.1:8545',
  currencySymbol: 'ETH',
  preset: true,
  anchoring: DEVNET_CONTRACTS,
};

export const PRESET_NETWORKS: readonly Network[] = [
  DEVNET,
  {
    chainId: 84532,
    name: 'Base Sepolia',
    rpcUrl: 'https://sepolia.base.org',
    currencySymbol: 'ETH',
    blockExplorerUrl: 'https://sepolia.basescan.org',
    preset: true,
  },
  {
    chainId: 11155420,
    name: 'OP Sepolia',
    rpcUrl: 'https://sepolia.optimism.io',
    currencySymbol: 'ETH',
    blockExplorerUrl: 'https://sepolia-optimism.etherscan.io',
    preset: true,
  },
];

/** Loopback hosts may use plain http (a local node); everything else must be https. */
function isAllowedRpcUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

export const rpcUrlSchema = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.check(isAllowedRpcUrl, 'RPC URL must be https:// (or http:// on 127.0.0.1, localhost or [::1])'),
);

export const chainIdSchema = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1, 'chain id must be positive'),
  v.maxValue(Number.MAX_SAFE_INTEGER, 'chain id is too large'),
);

/** A user-added network, as stored and as the settings page submits it. */
export const customNetworkSchema = v.strictObject({
  chainId: chainIdSchema,
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'network name is required'), v.maxLength(60)),
  rpcUrl: rpcUrlSchema,
  currencySymbol: v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^[A-Za-z0-9]{2,8}$/, 'symbol must be 2–8 letters or digits'),
  ),
  blockExplorerUrl: v.optional(
    v.pipe(v.string(), v.maxLength(2048), v.url(), v.startsWith('https://', 'explorer URL must be https://')),
  ),
});
export type CustomNetwork = v.InferOutput<typeof customNetworkSchema>;

export function toHexChainId(chainId: number): `0x${string}` {
  return `0x${chainId.toString(16)}`;
}

/** The viem `Chain` for a network, for clients and transaction serialization. */
export function toViemChain(network: Network): Chain {
  return defineChain({
    id: network.chainId,
    name: network.name,
    nativeCurrency: { name: network.currencySymbol, symbol: network.currencySymbol, decimals: 18 },
    rpcUrls: { default: { http: [network.rpcUrl] } },
    ...(network.blockExplorerUrl
      ? { blockExplorers: { default: { name: network.name, url: network.blockExplorerUrl } } }
      : {}),
  });
}

/** A network that has the Anchor and KeyRegistry contracts. */
export type AnchoringNetwork = Network & { anchoring: AnchoringContracts };

/**
 * The network whose contracts the wallet anchors on and reads keys from: the selected one if it
 * has them, else the first known network that does (the devnet preset); null when none does.
 */
export function anchoringNetwork(selected: Network, known: readonly Network[]): AnchoringNetwork | null {
  const hasContracts = (network: Network): network is AnchoringNetwork => network.anchoring !== undefined;
  if (hasContracts(selected)) return selected;
  return known.find(hasContracts) ?? null;
}
