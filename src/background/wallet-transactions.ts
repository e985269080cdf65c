/**
 * Transactions Cairn itself sends from the user's account (anchoring their own messages,
 * publishing their key): prepared on the network's node, shown in the same "Confirm" window as a
 * site's transaction (origin `WALLET_ORIGIN`), signed in the keyring, sent, and followed to a
 * receipt. Nothing is sent without the user's approval. The transaction's hash is computed here
 * from the signed bytes and handed to the caller before the node sees it, so a caller can keep
 * it first and follow a transaction whose sending went silent.
 */
import { type Address, type Hex, keccak256 } from 'viem';
import { sleepFor } from '../chain/anchor-submitter';
import type { JsonRpcClient } from '../chain/json-rpc-client';
import { JsonRpcError } from '../chain/json-rpc-client';
import type { Network } from '../chain/networks';
import { pendingNonce, prepareTransaction, sendRawTransaction } from '../chain/transaction-preparer';
import { CairnError, RpcErrorCode } from '../keyring/errors';
import type { Keyring } from '../keyring/keyring';
import type { AccountSendLock } from './account-send-lock';
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
  /** Called with the signed transaction's hash before it goes to the node (to keep it). */
  beforeBroadcast?(txHash: Hex): Promise<void>;
}

export interface MinedTransaction {
  txHash: Hex;
  blockNumber: bigint;
  /** false: the transaction reverted. */
  success: boolean;
}

/** The network's node refused the transaction (e.g. no funds for gas, or the call would revert). */
export class TransactionRefusedError extends CairnError {
  override name = 'TransactionRefusedError';
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : 'no reason given';
    super(`The network refused the transaction: ${reason.slice(0, 300)}`, { cause });
  }
}

/** The signed transaction went to the node but no answer came back: it may be on its way. */
export class BroadcastUnknownError extends CairnError {
  override name = 'BroadcastUnknownError';
  constructor(
    readonly txHash: Hex,
    cause: unknown,
  ) {
    super(`Transaction ${txHash} was sent but the network did not confirm receiving it`, {
      code: RpcErrorCode.resourceUnavailable,
      cause,
    });
  }
}

/** What the services that send the wallet's own transactions use of `WalletTransactions`. */
export type OwnTransactions = Pick<WalletTransactions, 'send' | 'receiptWithin' | 'known'>;

export interface WalletTransactionsOptions {
  keyring: Pick<Keyring, 'signTransaction'>;
  approvals: Pick<ApprovalController, 'request'>;
  rpcFor(network: Network): JsonRpcClient;
  /** Shared with the dapp API's eth_sendTransaction. */
  sendLock: AccountSendLock;
  /** Receipt polling, ms. @default 1_000 */
  pollMs?: number;
}

export class WalletTransactions {
  readonly #o: WalletTransactionsOptions;

  constructor(options: WalletTransactionsOptions) {
    this.#o = options;
  }

  /**
   * Asks the user (the window closes if `signal` aborts first), then signs and sends.
   * @returns the transaction hash
   * @throws UserRejectedError; TransactionRefusedError (nothing was sent); BroadcastUnknownError
   *   (maybe sent); the signal's reason
   */
  async send(request: WalletTransactionRequest, signal: AbortSignal): Promise<Hex> {
    const rpc = this.#o.rpcFor(request.network);
    const prepared = await prepareTransaction(
      request.network,
      rpc,
      { from: request.from, to: request.to, data: request.data },
      { signal },
    ).catch((error: unknown) => {
      throw refused(error, signal);
    });
    const decision = await this.#o.approvals.request(
      WALLET_ORIGIN,
      request.method,
      {
        kind: 'walletTransaction',
        purpose: request.purpose,
        address: request.from,
        transaction: transactionView(prepared, request.network),
      },
      signal,
    );
    if (!decision.approved) throw new UserRejectedError();
    return this.#o.sendLock.run(request.from, async () => {
      // Read after the approval: another transaction may have gone out while the window was open.
      const nonce = await pendingNonce(rpc, request.from, { signal }).catch((error: unknown) => {
        throw refused(error, signal);
      });
      const raw = await this.#o.keyring.signTransaction(request.from, { ...prepared, nonce });
      const txHash = keccak256(raw);
      await request.beforeBroadcast?.(txHash);
      let reported: Hex;
      try {
        reported = await sendRawTransaction(rpc, raw, { signal });
      } catch (error) {
        if (error instanceof JsonRpcError) throw new TransactionRefusedError(error);
        throw new BroadcastUnknownError(txHash, error);
      }
      if (reported.toLowerCase() !== txHash) {
        throw new BroadcastUnknownError(txHash, new Error('the node reported another transaction hash'));
      }
      return txHash;
    });
  }

  /** Polls for the receipt until `signal` aborts. @throws the signal's reason; RPC errors. */
  async receipt(network: Network, txHash: Hex, signal: AbortSignal): Promise<MinedTransaction> {
    const rpc = this.#o.rpcFor(network);
    for (;;) {
      const receipt = await rpc.request('eth_getTransactionReceipt', [txHash], { signal });
      if (receipt !== null && receipt !== undefined) return parseReceipt(receipt, txHash);
      await sleepFor(this.#o.pollMs ?? 1_000, signal);
    }
  }

  /**
   * The receipt, or null when none came within `waitMs` or before `signal` aborted: the
   * transaction is out and may still land. @throws RPC errors
   */
  async receiptWithin(
    network: Network,
    txHash: Hex,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<MinedTransaction | null> {
    const wait = AbortSignal.any([signal, AbortSignal.timeout(waitMs)]);
    try {
      return await this.receipt(network, txHash, wait);
    } catch (error) {
      if (wait.aborted) return null;
      throw error;
    }
  }

  /** Whether the node knows the transaction (pending or mined); false once it was dropped. */
  async known(network: Network, txHash: Hex, signal: AbortSignal): Promise<boolean> {
    const found = await this.#o.rpcFor(network).request('eth_getTransactionByHash', [txHash], { signal });
    return found !== null && found !== undefined;
  }
}

/** A failure before anything was signed: the node's refusal, viem's checks, or the abort. */
function refused(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || error instanceof CairnError) return error;
  return new TransactionRefusedError(error);
}

/** Checks the node's receipt: RPC replies are untrusted. */
function parseReceipt(value: unknown, txHash: Hex): MinedTransaction {
  const receipt = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { status, blockNumber } = receipt;
  if (
    typeof status !== 'string' ||
    typeof blockNumber !== 'string' ||
    !/^0x[0-9a-fA-F]{1,16}$/.test(blockNumber) ||
    String(receipt.transactionHash).toLowerCase() !== txHash.toLowerCase()
  ) {
    throw new TypeError('eth_getTransactionReceipt returned a malformed receipt');
  }
  return { txHash, blockNumber: BigInt(blockNumber), success: status === '0x1' };
}
