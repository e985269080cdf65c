/**
 * The EIP-1193 methods a web page may call. The inpage provider answers anything
 * else with 4200 itself, the content-script bridge drops anything else, and the
 * background checks again: three independent gates over one list.
 */

/** Methods served by the wallet itself (accounts, signing, permissions, chains). */
export const WALLET_METHODS = [
  'eth_requestAccounts',
  'eth_accounts',
  'eth_chainId',
  'net_version',
  'personal_sign',
  'eth_signTypedData_v4',
  'wallet_requestPermissions',
  'wallet_getPermissions',
  'wallet_revokePermissions',
  'wallet_switchEthereumChain',
  'wallet_addEthereumChain',
  'eth_sendTransaction',
] as const;

/** Read-only JSON-RPC forwarded to the selected network's node as is. */
export const PASSTHROUGH_METHODS = [
  'eth_blockNumber',
  'eth_call',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getCode',
  'eth_getLogs',
  'eth_getStorageAt',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'web3_clientVersion',
] as const;

export type WalletMethod = (typeof WALLET_METHODS)[number];
export type PassthroughMethod = (typeof PASSTHROUGH_METHODS)[number];
export type DappMethod = WalletMethod | PassthroughMethod;

const ALL: ReadonlySet<string> = new Set<string>([...WALLET_METHODS, ...PASSTHROUGH_METHODS]);
const PASSTHROUGH: ReadonlySet<string> = new Set<string>(PASSTHROUGH_METHODS);

export function isDappMethod(method: unknown): method is DappMethod {
  return typeof method === 'string' && ALL.has(method);
}

export function isPassthroughMethod(method: string): method is PassthroughMethod {
  return PASSTHROUGH.has(method);
}
