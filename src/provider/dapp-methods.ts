/**
 * The EIP-1193 methods a web page may call. The inpage provider answers anything
 * else with 4200 itself, the content-script bridge drops anything else, and the
 * background checks again: three independent gates over one list.
 */

/**
 * The dapp messaging API: each needs the `cairn_messaging` permission
 * (`wallet_requestPermissions [{ cairn_messaging: {} }]`) and acts as the site's first
 * permitted account. Without it, or while locked: 4100. Bad params: -32602. Too many
 * calls: -32005 (reads 20/s, burst 60; sends 5/s, burst 20, per origin).
 *
 * ```ts
 * type Address = `0x${string}`;                 // 20 bytes, checksummed if mixed case
 * type MessageId = string;                      // 64 lowercase hex characters
 * // In (at most 64 KiB of UTF-8 text, well-formed Unicode):
 * type SendContent =
 *   | string                                                    // a text message
 *   | { type: 'text'; text: string }
 *   | { type: 'reply'; reference: MessageId; text: string }
 *   | { type: 'reaction'; reference: MessageId; action: 'added' | 'removed'; emoji: string }; // one emoji
 * // Out (DisplayContent: plain text, never HTML):
 * type Content =
 *   | { kind: 'text'; text: string }
 *   | { kind: 'reply'; text: string; reference: MessageId }
 *   | { kind: 'reaction'; emoji: string; reference: MessageId; action: 'added' | 'removed' }
 *   | { kind: 'attachment'; filename: string; mimeType: string; size: number; url: string }
 *   | { kind: 'unsupported'; contentType: string; fallback: string | null };
 * type Message = { id: MessageId; sender: Address; content: Content; sentAt: number; // ms
 *                  status: 'queued' | 'sent' | 'delivered' | 'failed' };
 *
 * cairn_getIdentity        []                                          → { address: Address }
 * cairn_canMessage         [address: Address]                          → boolean
 * cairn_sendMessage        [{ to: Address, content: SendContent }]     → { id, topic, sentAt }
 * cairn_listConversations  []                                          → { peer, topic, lastMessage: Message | null, unread }[]
 * cairn_getMessages        [{ peer: Address, before?: number, limit?: 1..100 (50) }] → Message[] (oldest first, sentAt < before)
 * event 'message'          { type: 'cairn_message', data: { id, peer, sender, content: Content, sentAt, topic } }
 * ```
 */
export const MESSAGING_METHODS = [
  'cairn_getIdentity',
  'cairn_canMessage',
  'cairn_sendMessage',
  'cairn_listConversations',
  'cairn_getMessages',
  'cairn_getMessageProof',
] as const;

/** Methods served by the wallet itself (accounts, signing, permissions, chains, messaging). */
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
  ...MESSAGING_METHODS,
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

export type MessagingMethod = (typeof MESSAGING_METHODS)[number];
export type WalletMethod = (typeof WALLET_METHODS)[number];
export type PassthroughMethod = (typeof PASSTHROUGH_METHODS)[number];
export type DappMethod = WalletMethod | PassthroughMethod;

const ALL: ReadonlySet<string> = new Set<string>([...WALLET_METHODS, ...PASSTHROUGH_METHODS]);
const PASSTHROUGH: ReadonlySet<string> = new Set<string>(PASSTHROUGH_METHODS);
const MESSAGING: ReadonlySet<string> = new Set<string>(MESSAGING_METHODS);

export function isDappMethod(method: unknown): method is DappMethod {
  return typeof method === 'string' && ALL.has(method);
}

export function isPassthroughMethod(method: string): method is PassthroughMethod {
  return PASSTHROUGH.has(method);
}

export function isMessagingMethod(method: string): method is MessagingMethod {
  return MESSAGING.has(method);
}
