/**
 * Test doubles around the wallet's own transactions: a real `WalletTransactions` (real keyring,
 * real node) whose approval windows are recorded and answered by the test, and whose broadcast
 * can be made to lose its answer; and a block store that keeps raw blocks by CID.
 */
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { AccountSendLock } from '../../../src/background/account-send-lock.ts';
import type { ApprovalDetails } from '../../../src/background/dapp/approval-types.ts';
import { WalletTransactions } from '../../../src/background/wallet-transactions.ts';
import type { JsonRpcClient } from '../../../src/chain/json-rpc-client.ts';
import type { Keyring } from '../../../src/keyring/keyring.ts';

export interface RecordedApproval {
  origin: string;
  method: string;
  details: ApprovalDetails;
}

export function recordingWalletTransactions(options: {
  keyring: Keyring;
  rpc: { request(method: string, params?: unknown[]): Promise<unknown> };
  /** Every approval the transactions asked for. */
  approvals: RecordedApproval[];
  /** The user's answer to each approval. */
  decide: { approved: boolean };
  /** When true, the node takes a broadcast transaction but its answer never arrives. */
  silentBroadcast: () => boolean;
}): WalletTransactions {
  return new WalletTransactions({
    keyring: options.keyring,
    approvals: {
      request: async (origin, method, details) => {
        options.approvals.push({ origin, method, details });
        return options.decide.approved ? { approved: true } : { approved: false };
      },
    },
    rpcFor: () =>
      ({
        request: async (method: string, params: unknown[] = []) => {
          const answer = await options.rpc.request(method, params);
          if (method === 'eth_sendRawTransaction' && options.silentBroadcast())
            throw new TypeError('fetch failed');
          return answer;
        },
      }) as unknown as JsonRpcClient,
    sendLock: new AccountSendLock(),
    pollMs: 20,
  });
}

/** A `putBlock` that keeps raw blocks in `blocks` under their CIDv1 (sha2-256). */
export function rawBlockStore(blocks: Map<string, Uint8Array>): (bytes: Uint8Array) => Promise<CID> {
  return async (bytes) => {
    const cid = CID.createV1(raw.code, await sha256.digest(bytes));
    blocks.set(cid.toString(), bytes);
    return cid;
  };
}
