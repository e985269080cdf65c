/**
 * The wallet's own transactions on a real chain (in-process Hardhat) with the real keyring: the
 * node's refusal comes back readable, the hash is the signed bytes' own, it is kept before the
 * node sees it, and one account's sends never share a nonce.
 */

import type { Address, Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountSendLock } from '../../src/background/account-send-lock.ts';
import { UserRejectedError } from '../../src/background/dapp/approval-controller.ts';
import { TransactionRefusedError, WalletTransactions } from '../../src/background/wallet-transactions.ts';
import { type JsonRpcClient, JsonRpcError } from '../../src/chain/json-rpc-client.ts';
import { DEVNET } from '../../src/chain/networks.ts';
import { MemoryKeyValueStore } from '../../src/keyring/key-value-store.ts';
import { Keyring } from '../../src/keyring/keyring.ts';
import { type InProcessChain, inProcessChain } from '../support/in-process-chain.ts';

const TO: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
let chain: InProcessChain;
let rpc: JsonRpcClient;

beforeAll(async () => {
  chain = await inProcessChain();
  // As JsonRpcClient answers over HTTP: the node's errors as JsonRpcError.
  rpc = {
    request: (method: string, params: unknown[] = []) =>
      chain.rpc(method, params).catch((error: { code?: number; message?: string }) => {
        throw new JsonRpcError(error.code ?? -32603, error.message ?? 'error');
      }),
  } as JsonRpcClient;
}, 60_000);

afterAll(async () => {
  await chain?.close();
});

async function walletWith(privateKey: Hex) {
  const keyring = new Keyring({
    vaultStore: new MemoryKeyValueStore(),
    sessionStore: new MemoryKeyValueStore(),
  });
  const [account] = await keyring.createFromPrivateKey('correct horse battery', privateKey);
  const approvals: string[] = [];
  const transactions = new WalletTransactions({
    keyring,
    approvals: {
      request: async (_origin, method) => {
        approvals.push(method);
        return { approved: method !== 'reject' };
      },
    },
    rpcFor: () => rpc,
    sendLock: new AccountSendLock(),
    pollMs: 10,
  });
  return { transactions, address: (account as { address: Address }).address, approvals };
}

const request = (from: Address, method = 'test_send') => ({
  from,
  network: DEVNET,
  to: TO,
  data: '0x' as Hex,
  purpose: 'A test transaction',
  method,
});

describe('WalletTransactions', () => {
  it('says plainly that the network refused a transaction from an account without funds', async () => {
    const { transactions, address } = await walletWith(generatePrivateKey());
    const sent = transactions.send(request(address), AbortSignal.timeout(10_000));
    await expect(sent).rejects.toThrow(TransactionRefusedError);
    await expect(sent).rejects.toThrow(/^The network refused the transaction: /);
  });

  it('sends nothing when the user rejects', async () => {
    const key = generatePrivateKey();
    const { transactions, address } = await walletWith(key);
    await chain.rpc('hardhat_setBalance', [address, '0xde0b6b3a7640000']);
    await expect(transactions.send(request(address, 'reject'), AbortSignal.timeout(10_000))).rejects.toThrow(
      UserRejectedError,
    );
    expect(await chain.rpc('eth_getTransactionCount', [address, 'pending'])).toBe('0x0');
  });

  it('hands over the hash of the signed bytes before sending, and two sends take two nonces', async () => {
    const { transactions, address } = await walletWith(generatePrivateKey());
    await chain.rpc('hardhat_setBalance', [address, '0xde0b6b3a7640000']);
    const kept: Hex[] = [];
    const both = await Promise.all(
      ['a', 'b'].map((method) =>
        transactions.send(
          {
            ...request(address, method),
            beforeBroadcast: async (txHash) => {
              kept.push(txHash);
            },
          },
          AbortSignal.timeout(10_000),
        ),
      ),
    );
    // The node took them under the hashes computed here (a mismatch would have thrown).
    expect(kept.sort()).toEqual([...both].sort());
    const mined = await Promise.all(
      both.map((hash) => transactions.receipt(DEVNET, hash, AbortSignal.timeout(10_000))),
    );
    expect(mined.every((receipt) => receipt.success)).toBe(true);
    expect(await chain.rpc('eth_getTransactionCount', [address, 'latest'])).toBe('0x2');
    expect(await transactions.known(DEVNET, both[0]!, AbortSignal.timeout(1000))).toBe(true);
    expect(await transactions.known(DEVNET, `0x${'ee'.repeat(32)}`, AbortSignal.timeout(1000))).toBe(false);
  });
});
