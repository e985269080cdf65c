/**
 * A fresh in-process Hardhat 3 chain (EDR, chain 31337, the usual funded dev accounts) for fast
 * chain tests, with viem clients over a `custom()` transport. Hardhat's config, cache and data
 * directories stay inside the project. A revert is handed to viem as `{ code: 3, data }`, the
 * JSON-RPC shape it decodes custom errors from; `retryCount: 0`, or each expected revert would
 * be retried.
 */
import { fileURLToPath } from 'node:url';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  getAddress,
  type Hex,
  toHex,
} from 'viem';
import { hardhat } from 'viem/chains';
import { anchorAbi } from '../../src/chain/contract-artifacts.ts';

const XDG_DIR = fileURLToPath(new URL('../../.cache/xdg', import.meta.url));

interface ProviderError {
  message?: string;
  data?: unknown;
  code?: number;
}

function revertData(error: ProviderError): Hex | undefined {
  const data = error.data as { data?: unknown } | string | undefined;
  if (typeof data === 'string' && data.startsWith('0x')) return data as Hex;
  if (data && typeof data === 'object' && typeof data.data === 'string') return data.data as Hex;
  return undefined;
}

export async function inProcessChain() {
  process.env.XDG_CONFIG_HOME ??= `${XDG_DIR}/config`;
  process.env.XDG_CACHE_HOME ??= `${XDG_DIR}/cache`;
  process.env.XDG_DATA_HOME ??= `${XDG_DIR}/data`;
  const { createHardhatRuntimeEnvironment } = await import('hardhat/hre');
  const hre = await createHardhatRuntimeEnvironment({});
  const connection = await hre.network.connect();
  const provider = connection.provider;
  const request = async ({ method, params }: { method: string; params?: unknown }) => {
    try {
      return await provider.request({ method, params: params as unknown[] });
    } catch (cause) {
      const error = cause as ProviderError;
      const data = revertData(error);
      if (data !== undefined) throw Object.assign(new Error(error.message ?? 'reverted'), { code: 3, data });
      throw cause;
    }
  };
  const transport = custom({ request }, { retryCount: 0 });
  const accounts = (await provider.request({ method: 'eth_accounts' })) as Address[];
  const publicClient = createPublicClient({ chain: hardhat, transport });
  const walletFor = (account: Address) => createWalletClient({ chain: hardhat, transport, account });
  return {
    publicClient,
    walletFor,
    accounts,
    /** Raw JSON-RPC (e.g. `evm_snapshot`, `evm_mine`). */
    rpc: (method: string, params: unknown[] = []) => provider.request({ method, params }),
    close: () => connection.close(),
  };
}

export type InProcessChain = Awaited<ReturnType<typeof inProcessChain>>;

/** Anchors `root` on the Anchor contract at `contract` from the first account; the receipt. */
export async function anchorOnChain(
  chain: InProcessChain,
  contract: Address,
  root: Hex,
  count: number,
  manifestCid: string = 'bafy',
) {
  const wallet = chain.walletFor(chain.accounts[0]!);
  return chain.publicClient.waitForTransactionReceipt({
    hash: await wallet.writeContract({
      address: contract,
      abi: anchorAbi,
      functionName: 'anchor',
      args: [root, count, toHex(new TextEncoder().encode(manifestCid))],
    }),
  });
}

/** Deploys a contract from the first account; its (checksummed) address. */
export async function deployOnChain(chain: InProcessChain, abi: Abi, bytecode: Hex): Promise<Address> {
  const hash = await chain.walletFor(chain.accounts[0]!).deployContract({ abi, bytecode });
  return getAddress((await chain.publicClient.waitForTransactionReceipt({ hash })).contractAddress!);
}
