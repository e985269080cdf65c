/**
 * Transactions Cairn itself sends from the user's account (anchoring their own messages,
 * publishing their key): prepared on the network's node, shown in the same "Confirm" window as a
 * site's transaction (origin `WALLET_ORIGIN`), signed in the keyring, sent, and followed to a
 * receipt. Nothing is sent without the user's approval.
 */
import type { Address, Hex } from 'viem';
import type { JsonRpcClient } from '../chain/json-rpc-client';
import type { Network } from '../chain/networks';
import { pendingNonce, prepareTransaction, sendRawTransaction } from '../chain/transaction-preparer';
import type { Keyring } from '../keyring/keyring';
import { type ApprovalController, UserRejectedError } from './dapp/approval-controller';
import { WALLET_ORIGIN } from './dapp/approval-types';
import { transactionView } from './dapp/transaction-view';

export interface WalletTransactionRequest {
  from: Address;
  network: Network;
  to: Address;
  data: Hex;
  /** What the approval window says the transaction is for, e.g. "Anchor 3 messages on chain". */
  purpose: string;
  /** The approval's method name: one pending approval per method. */
  method: string;
}

export interface MinedTransaction {
  txHash: Hex;
  blockNumber: bigint;
  /** false: the transaction reverted. */
  success: boolean;
}

export interface WalletTransactionsOptions {
  keyring: Pick<Keyring, 'signTransaction'>;
  approvals: Pick<ApprovalController, 'request'>;
  rpcFor(network: Network): JsonRpcClient;
  /** Receipt polling, ms. @default 1_000 */
  pollMs?: number;
}

export class WalletTransactions {
  readonly #o: WalletTransactionsOptions;

  constructor(options: WalletTransactionsOptions) {
    this.#o = options;
  }

  /**
   * Asks the user, then signs and sends. @returns the transaction hash.
   * @throws UserRejectedError; RPC errors (e.g. the node's gas estimate fails: the call would revert)
   */
  async send(request: WalletTransactionRequest, signal: AbortSignal): Promise<Hex> {
    const rpc = this.#o.rpcFor(request.network);
    const prepared = await prepareTransaction(
      request.network,
      rpc,
      { from: request.from, to: request.to, data: request.data },
      { signal },
    );
    const decision = await this.#o.approvals.request(WALLET_ORIGIN, request.method, {
      kind: 'walletTransaction',
      purpose: request.purpose,
      address: request.from,
      transaction: transactionView(prepared, request.network),
    });
    if (!decision.approved) throw new UserRejectedError();
    // Another transaction may have gone out while the window was open.
    const nonce = await pendingNonce(rpc, request.from, { signal });
    const raw = await this.#o.keyring.signTransaction(request.from, { ...prepared, nonce });
    return sendRawTransaction(rpc, raw, { signal });
  }

  /** Polls for the receipt until `signal` aborts. @throws the signal's reason; RPC errors. */
  async receipt(network: Network, txHash: Hex, signal: AbortSignal): Promise<MinedTransaction> {
    const rpc = this.#o.rpcFor(network);
    for (;;) {
      const receipt = await rpc.request('eth_getTransactionReceipt', [txHash], { signal });
      if (receipt !== null && receipt !== undefined) return parseReceipt(receipt, txHash);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.#o.pollMs ?? 1_000);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    }
  }
}

/** Checks the node's receipt: RPC replies are untrusted. */
function parseReceipt(value: unknown, txHash: Hex): MinedTransaction {
  const receipt = value as Record<string, unknown>;
  const { status, blockNumber } = receipt;
  if (
    typeof receipt !== 'object' ||
    typeof status !== 'string' ||
    typeof blockNumber !== 'string' ||
    !/^0x[0-9a-fA-F]{1,16}$/.test(blockNumber) ||
    String(receipt.transactionHash).toLowerCase() !== txHash.toLowerCase()
  ) {
    throw new TypeError('eth_getTransactionReceipt returned a malformed receipt');
  }
  return {
    txHash,
    blockNumber: BigInt(blockNumber),
    success: status === '0x1',
  };
}
