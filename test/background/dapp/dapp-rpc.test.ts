/**
 * The wallet side of EIP-1193 with a real keyring (the "test … junk" phrase), real
 * stores over memory, an approval controller whose windows the test answers, and a
 * fake node behind a fake fetch.
 */
import {
  type Address,
  type Hex,
  isAddressEqual,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  type TransactionSerializedEIP1559,
  type TransactionSerializedLegacy,
  verifyMessage,
  verifyTypedData,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApprovalController } from '../../../src/background/dapp/approval-controller';
import type { PendingApproval } from '../../../src/background/dapp/approval-types';
import { type DappPortSender, DappPortServer } from '../../../src/background/dapp/dapp-port-server';
import { DappRpc } from '../../../src/background/dapp/dapp-rpc';
import { NetworkStore } from '../../../src/background/dapp/network-store';
import { PermissionsStore } from '../../../src/background/dapp/permissions-store';
import { DEVNET, type Network, PRESET_NETWORKS } from '../../../src/chain/networks';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';
import { DAPP_PORT_NAME } from '../../../src/provider/channel';
import {
  PASSWORD,
  TEST_ADDRESS_0,
  TEST_ADDRESS_1,
  TEST_MNEMONIC,
  TEST_PRIVATE_KEY_0,
  testKeyring,
} from '../../keyring/helpers';
import { etherMailWithDomainType } from '../../support/ether-mail.ts';
import { FakeApprovalWindows } from '../../support/fake-approval-windows';
import { fakeRpcNode, NodeError, type NodeHandler } from '../../support/fake-rpc-node';
import { connectedPorts } from '../fake-port';

const A0 = TEST_ADDRESS_0 as Address;
const A1 = TEST_ADDRESS_1 as Address;
const DAPP = 'https://dapp.example';
const OTHER = 'https://other.example';
const NOW = 1_750_000_000_000;
const BASE_SEPOLIA = PRESET_NETWORKS.find((n) => n.chainId === 84532) as Network;

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The stored vault and session key of the test phrase, created once (PBKDF2 is slow). */
let VAULT: unknown;
let SESSION_KEY: unknown;

beforeAll(async () => {
  const vaultStore = new MemoryKeyValueStore();
  const sessionStore = new MemoryKeyValueStore();
  const { keyring } = testKeyring({ vaultStore, sessionStore });
  await keyring.createFromMnemonic(PASSWORD, TEST_MNEMONIC);
  VAULT = await vaultStore.get('vault');
  SESSION_KEY = await sessionStore.get('vaultKey');
});

/** A devnet node at block 1 with a 1 gwei base fee and 1 gwei tip, and `nonce` pending transactions of account 0. */
function devnetNode(overrides: Record<string, NodeHandler> = {}) {
  const state = { nonce: 5, sent: [] as Hex[] };
  const handlers: Record<string, NodeHandler> = {
    eth_chainId: () => '0x7a69',
    eth_blockNumber: () => '0x1',
    eth_getTransactionCount: () => `0x${state.nonce.toString(16)}`,
    eth_estimateGas: () => '0x5208',
    eth_gasPrice: () => '0x77359400',
    eth_maxPriorityFeePerGas: () => '0x3b9aca00',
    eth_getBlockByNumber: () => ({
      number: '0x1',
      hash: `0x${'11'.repeat(32)}`,
      parentHash: `0x${'00'.repeat(32)}`,
      timestamp: '0x6853c3c0',
      gasLimit: '0x1c9c380',
      gasUsed: '0x0',
      baseFeePerGas: '0x3b9aca00',
      miner: '0x0000000000000000000000000000000000000000',
      transactions: [],
    }),
    eth_sendRawTransaction: ([raw]) => {
      state.sent.push(raw as Hex);
      return keccak256(raw as Hex);
    },
    ...overrides,
  };
  return { state, ...fakeRpcNode(handlers) };
}

async function setup(nodeOverrides: Record<string, NodeHandler> = {}) {
  const vaultStore = new MemoryKeyValueStore();
  await vaultStore.set('vault', VAULT);
  const sessionStore = new MemoryKeyValueStore();
  await sessionStore.set('vaultKey', SESSION_KEY);
  const { keyring } = testKeyring({ vaultStore, sessionStore });
  expect(await keyring.restoreSession()).toBe(true); // unlocked, without another PBKDF2 run

  const localStore = new MemoryKeyValueStore();
  const permissions = new PermissionsStore(localStore);
  const networks = new NetworkStore(localStore);
  const windows = new FakeApprovalWindows();
  const approvals = new ApprovalController({ windows, now: () => NOW });
  const events: Array<[string, ...unknown[]]> = [];
  const node = devnetNode(nodeOverrides);
  const rpcNetworks: number[] = [];
  const rpc = new DappRpc({
    keyring,
    permissions,
    approvals,
    networks,
    now: () => NOW,
    rpcFor: (network: Network) => {
      rpcNetworks.push(network.chainId);
      return node.client(network.rpcUrl);
    },
    events: {
      accountsChanged: (origin, accounts) => void events.push(['accountsChanged', origin, accounts]),
      chainChanged: (chainId) => void events.push(['chainChanged', chainId]),
    },
  });

  /** The next approval window's request. */
  const nextApproval = async (): Promise<PendingApproval> => {
    const id = await windows.nextOpened();
    const approval = approvals.get(id);
    if (!approval) throw new Error(`approval ${id} is not pending`);
    return approval;
  };
  const approveNext = async (accounts?: Address[]) => {
    const approval = await nextApproval();
    approvals.decide(approval.id, { approved: true, ...(accounts ? { accounts } : {}) });
    return approval;
  };
  const rejectNext = async () => {
    const approval = await nextApproval();
    approvals.decide(approval.id, { approved: false });
    return approval;
  };
  const call = (method: string, params?: unknown, origin = DAPP) => rpc.handle(origin, method, params);
  /** Connects DAPP with account 0 through the approval flow. */
  const connect = async (origin = DAPP) => {
    const accounts = call('eth_requestAccounts', undefined, origin);
    await approveNext([A0]);
    await accounts;
    events.length = 0;
  };
  return {
    keyring,
    localStore,
    permissions,
    networks,
    windows,
    approvals,
    events,
    node,
    rpcNetworks,
    rpc,
    call,
    connect,
    nextApproval,
    approveNext,
    rejectNext,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: number }> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & { code?: number };
}

/** Ether Mail with its EIP712Domain type, on the devnet (chain 31337) unless told otherwise. */
function mail<C extends number | string = number>(chainId: C = 31337 as C) {
  return etherMailWithDomainType(chainId);
}

/** The same typed data as viem types it when EIP712Domain is declared: the uint256 chainId as a bigint. */
function forViem<T extends { domain: { chainId: number | string } }>(typedData: T) {
  return { ...typedData, domain: { ...typedData.domain, chainId: BigInt(typedData.domain.chainId) } };
}

describe('DappRpc accounts and permissions', () => {
  it('answers eth_chainId and net_version for the selected network, to any site', async () => {
    const { call } = await setup();
    expect(await call('eth_chainId')).toBe('0x7a69');
    expect(await call('net_version', [])).toBe('31337');
  });

  it('answers eth_accounts with [] before a site is connected', async () => {
    const { call, windows } = await setup();
    expect(await call('eth_accounts')).toEqual([]);
    expect(windows.openCalls).toEqual([]);
  });

  it('connects through an approval: grant persisted, accountsChanged sent, accounts answered', async () => {
    const { call, approveNext, events, localStore, windows } = await setup();
    const accounts = call('eth_requestAccounts');
    const approval = await approveNext([A0]);
    expect(approval).toMatchObject({
      origin: DAPP,
      method: 'eth_requestAccounts',
      details: { kind: 'connect' },
    });
    await expect(accounts).resolves.toEqual([A0]);
    expect(events).toEqual([['accountsChanged', DAPP, [A0]]]);
    expect(await new PermissionsStore(localStore).get(DAPP)).toEqual({
      origin: DAPP,
      accounts: [A0],
      date: NOW,
      messaging: false,
    });
    expect(await call('eth_accounts')).toEqual([A0]);
    expect(await call('eth_accounts', [], OTHER)).toEqual([]);
    // Asking again while connected answers at once, without a window.
    expect(await call('eth_requestAccounts')).toEqual([A0]);
    expect(windows.openCalls).toHaveLength(1);
  });

  it('opens one window for parallel eth_requestAccounts; the rest get -32002', async () => {
    const { call, approveNext, windows } = await setup();
    const calls = Array.from({ length: 10 }, () => call('eth_requestAccounts'));
    await approveNext([A0]);
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual([[A0]]);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    expect(refused).toHaveLength(9);
    for (const error of refused) expect(error).toMatchObject({ code: -32002 });
    expect(windows.openCalls).toHaveLength(1);
  });

  it('refuses a connection the user rejects with 4001, granting nothing', async () => {
    const { call, rejectNext, permissions, events } = await setup();
    const accounts = call('eth_requestAccounts');
    await rejectNext();
    expect(await rejection(accounts)).toMatchObject({ code: 4001, message: 'User rejected the request' });
    expect(await permissions.list()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('refuses an approval that picks no account or an account not in the wallet', async () => {
    const { call, approveNext, permissions } = await setup();
    for (const accounts of [undefined, [], [A1]]) {
      const request = call('eth_requestAccounts');
      await approveNext(accounts);
      expect(await rejection(request)).toMatchObject({
        code: -32602,
        message: 'Choose at least one account of this wallet',
      });
    }
    expect(await permissions.list()).toEqual([]);
  });

  it('answers eth_accounts with [] while locked, and the granted accounts again once unlocked', async () => {
    const { call, connect, keyring, rpc } = await setup();
    await connect();
    await keyring.lock();
    expect(await call('eth_accounts')).toEqual([]);
    expect(await rpc.permittedAccounts(DAPP)).toEqual([]);
    await keyring.unlock(PASSWORD);
    expect(await call('eth_accounts')).toEqual([A0]);
  });

  it('answers wallet_getPermissions in the EIP-2255 shape', async () => {
    const { call, connect } = await setup();
    expect(await call('wallet_getPermissions')).toEqual([]);
    await connect();
    expect(await call('wallet_getPermissions', [])).toEqual([
      {
        invoker: DAPP,
        parentCapability: 'eth_accounts',
        caveats: [{ type: 'restrictReturnedAccounts', value: [A0] }],
        date: NOW,
      },
    ]);
  });

  it('asks again for wallet_requestPermissions even when connected, and answers the new permission', async () => {
    const { call, connect, approveNext } = await setup();
    await connect();
    const request = call('wallet_requestPermissions', [{ eth_accounts: {} }]);
    const approval = await approveNext([A0]);
    expect(approval.method).toBe('wallet_requestPermissions');
    expect(await request).toEqual([
      {
        invoker: DAPP,
        parentCapability: 'eth_accounts',
        caveats: [{ type: 'restrictReturnedAccounts', value: [A0] }],
        date: NOW,
      },
    ]);
    expect(await rejection(call('wallet_requestPermissions', [{ snap_dialog: {} }]))).toMatchObject({
      code: -32602,
    });
  });

  it('wallet_revokePermissions removes the grant, sends accountsChanged([]) and rejects pending approvals', async () => {
    const { call, connect, nextApproval, events, permissions, windows } = await setup();
    await connect();
    const pendingSign = call('personal_sign', ['0x68656c6c6f', A0]);
    const signWindow = windows.windowOf((await nextApproval()).id);
    expect(await call('wallet_revokePermissions', [{ eth_accounts: {} }])).toBeNull();
    expect(await rejection(pendingSign)).toMatchObject({ code: 4001 });
    await tick();
    expect(windows.closed).toContain(signWindow);
    expect(windows.openWindows.size).toBe(0);
    expect(events).toEqual([['accountsChanged', DAPP, []]]);
    expect(await permissions.get(DAPP)).toBeUndefined();
    expect(await call('eth_accounts')).toEqual([]);
    expect(await rejection(call('personal_sign', ['0x68656c6c6f', A0]))).toMatchObject({ code: 4100 });
  });

  it('answers methods outside the allowlist with 4200', async () => {
    const { call } = await setup();
    for (const method of ['eth_sign', 'unlock', 'getApproval']) {
      expect(await rejection(call(method))).toMatchObject({
        code: 4200,
        message: `The method "${method}" is not supported`,
      });
    }
  });
});

describe('DappRpc signing', () => {
  it('signs personal_sign after approval; the signature verifies and matches the known key', async () => {
    const { call, connect, approveNext } = await setup();
    await connect();
    const signature = call('personal_sign', ['0x68656c6c6f', A0.toLowerCase()]);
    const approval = await approveNext();
    expect(approval.details).toEqual({
      kind: 'signMessage',
      address: A0,
      message: { hex: '0x68656c6c6f', text: 'hello' },
    });
    const result = (await signature) as Hex;
    expect(await verifyMessage({ address: A0, message: 'hello', signature: result })).toBe(true);
    expect(result).toBe(await privateKeyToAccount(TEST_PRIVATE_KEY_0).signMessage({ message: 'hello' }));
  });

  it('signs text messages as UTF-8, and shows binary ones as hex only', async () => {
    const { call, connect, approveNext } = await setup();
    await connect();
    const text = call('personal_sign', ['Sign in to dapp.example\nNonce: 42', A0]);
    expect((await approveNext()).details).toMatchObject({
      message: { text: 'Sign in to dapp.example\nNonce: 42' },
    });
    expect(
      await verifyMessage({
        address: A0,
        message: 'Sign in to dapp.example\nNonce: 42',
        signature: (await text) as Hex,
      }),
    ).toBe(true);
    const binary = call('personal_sign', ['0xff00', A0]);
    expect((await approveNext()).details).toMatchObject({ message: { hex: '0xff00', text: null } });
    expect(
      await verifyMessage({ address: A0, message: { raw: '0xff00' }, signature: (await binary) as Hex }),
    ).toBe(true);
  });

  it('refuses personal_sign for an address the site was not given, with 4100 and no window', async () => {
    const { call, connect, windows } = await setup();
    expect(await rejection(call('personal_sign', ['0x68656c6c6f', A0]))).toMatchObject({
      code: 4100,
      message: 'This site is not connected to that account; call eth_requestAccounts first',
    });
    await connect();
    expect(await rejection(call('personal_sign', ['0x68656c6c6f', A1]))).toMatchObject({ code: 4100 });
    expect(await rejection(call('personal_sign', ['0x68656c6c6f', A0], OTHER))).toMatchObject({ code: 4100 });
    expect(windows.openCalls).toHaveLength(1); // the connect window only
  });

  it('refuses a rejected signature with 4001', async () => {
    const { call, connect, rejectNext } = await setup();
    await connect();
    const signature = call('personal_sign', ['0x68656c6c6f', A0]);
    await rejectNext();
    expect(await rejection(signature)).toMatchObject({ code: 4001, message: 'User rejected the request' });
  });

  it('signs eth_signTypedData_v4 after approval; the signature verifies', async () => {
    const { call, connect, approveNext } = await setup();
    await connect();
    const typedData = mail();
    const signature = call('eth_signTypedData_v4', [A0, JSON.stringify(typedData)]);
    const approval = await approveNext();
    expect(approval.details).toEqual({
      kind: 'signTypedData',
      address: A0,
      typedData: { primaryType: 'Mail', domain: typedData.domain, message: typedData.message },
    });
    const result = (await signature) as Hex;
    expect(await verifyTypedData({ address: A0, ...forViem(typedData), signature: result })).toBe(true);
    expect(result).toBe(await privateKeyToAccount(TEST_PRIVATE_KEY_0).signTypedData(forViem(typedData)));
  });

  it("signs over the dapp's declared EIP712Domain fields, as EIP-712 defines the domain separator", async () => {
    const { call, connect, approveNext } = await setup();
    await connect();
    const { version: _version, ...domain } = mail().domain;
    const typedData = {
      ...mail(),
      domain,
      types: {
        ...mail().types,
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'chainId', type: 'uint256' },
          { name: 'verifyingContract', type: 'address' },
        ],
      },
    } as const;
    const signature = call('eth_signTypedData_v4', [A0, typedData]);
    await approveNext();
    expect(
      await verifyTypedData({ address: A0, ...forViem(typedData), signature: (await signature) as Hex }),
    ).toBe(true);
  });

  it('refuses, before any window, fields that would be shown but not signed', async () => {
    const { call, connect, windows } = await setup();
    await connect();
    const undeclaredDomainField = {
      ...mail(),
      types: { ...mail().types, EIP712Domain: mail().types.EIP712Domain.filter((f) => f.name !== 'version') },
    };
    expect(await rejection(call('eth_signTypedData_v4', [A0, undeclaredDomainField]))).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/at domain\.version: "version" is not a field of EIP712Domain/),
    });
    const extraMessageKey = { ...mail(), message: { ...mail().message, note: 'approves 1 wei' } };
    expect(await rejection(call('eth_signTypedData_v4', [A0, extraMessageKey]))).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/at message\.note/),
    });
    expect(windows.openCalls).toHaveLength(1); // the connect window only
  });

  it('refuses typed data for another chain than the selected one with -32602, before any window', async () => {
    const { call, connect, windows } = await setup();
    await connect();
    for (const chainId of [1, '0x1', '1']) {
      expect(await rejection(call('eth_signTypedData_v4', [A0, mail(chainId)]))).toMatchObject({
        code: -32602,
        message: `The typed data is for chain ${chainId}, but the selected chain is 31337`,
      });
    }
    expect(windows.openCalls).toHaveLength(1);
  });

  it('accepts typed data whose domain chain id is the selected one written in hex', async () => {
    const { call, connect, approveNext } = await setup();
    await connect();
    const signature = call('eth_signTypedData_v4', [A0, mail('0x7a69')]);
    await approveNext();
    expect(await signature).toMatch(/^0x[0-9a-f]{130}$/);
  });

  it('refuses typed data signing by an unpermitted address with 4100, and a rejection with 4001', async () => {
    const { call, connect, rejectNext } = await setup();
    expect(await rejection(call('eth_signTypedData_v4', [A0, mail()]))).toMatchObject({ code: 4100 });
    await connect();
    const signature = call('eth_signTypedData_v4', [A0, mail()]);
    await rejectNext();
    expect(await rejection(signature)).toMatchObject({ code: 4001 });
  });
});

describe('DappRpc chains', () => {
  it('refuses switching to an unknown chain with 4902, without a window', async () => {
    const { call, windows } = await setup();
    expect(await rejection(call('wallet_switchEthereumChain', [{ chainId: '0x1' }]))).toMatchObject({
      code: 4902,
      message: 'Unrecognized chain ID 0x1; add it with wallet_addEthereumChain first',
    });
    expect(windows.openCalls).toEqual([]);
  });

  it('switches to a known chain after approval and announces chainChanged', async () => {
    const { call, approveNext, events, networks } = await setup();
    const switched = call('wallet_switchEthereumChain', [{ chainId: '0x14a34' }]);
    const approval = await approveNext();
    expect(approval.details).toEqual({ kind: 'switchChain', network: BASE_SEPOLIA });
    expect(await switched).toBeNull();
    expect(events).toEqual([['chainChanged', '0x14a34']]);
    expect((await networks.selected()).chainId).toBe(84532);
    expect(await call('eth_chainId')).toBe('0x14a34');
    expect(await call('net_version')).toBe('84532');
  });

  it('answers a switch to the selected chain at once, and keeps the chain on rejection', async () => {
    const { call, rejectNext, events, windows, networks } = await setup();
    expect(await call('wallet_switchEthereumChain', [{ chainId: '0x7a69' }])).toBeNull();
    expect(windows.openCalls).toEqual([]);
    const switched = call('wallet_switchEthereumChain', [{ chainId: '0xaa37dc' }]);
    await rejectNext();
    expect(await rejection(switched)).toMatchObject({ code: 4001 });
    expect((await networks.selected()).chainId).toBe(31337);
    expect(events).toEqual([]);
  });

  it('adds a chain after approval, selects it and announces chainChanged', async () => {
    const { call, approveNext, events, networks } = await setup({ eth_chainId: () => '0x539' });
    const added = call('wallet_addEthereumChain', [
      {
        chainId: '0x539',
        chainName: 'Local two',
        rpcUrls: ['http://127.0.0.1:8546'],
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      },
    ]);
    const approval = await approveNext();
    expect(approval.details).toEqual({
      kind: 'addChain',
      network: {
        chainId: 1337,
        name: 'Local two',
        rpcUrl: 'http://127.0.0.1:8546',
        currencySymbol: 'ETH',
        preset: false,
      },
    });
    expect(await added).toBeNull();
    expect(events).toEqual([['chainChanged', '0x539']]);
    expect((await networks.selected()).chainId).toBe(1337);
  });

  it('treats adding a known chain as a switch', async () => {
    const { call, approveNext, events } = await setup();
    const added = call('wallet_addEthereumChain', [
      {
        chainId: '0x14a34',
        chainName: 'Base Sepolia (from the dapp)',
        rpcUrls: ['https://evil.example/rpc'],
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      },
    ]);
    const approval = await approveNext();
    expect(approval.details).toEqual({ kind: 'switchChain', network: BASE_SEPOLIA });
    expect(await added).toBeNull();
    expect(events).toEqual([['chainChanged', '0x14a34']]);
  });

  it('refuses a chain with a plain-http remote RPC with -32602 before any window, and a rejected add with 4001', async () => {
    const { call, rejectNext, windows, networks } = await setup({ eth_chainId: () => '0x539' });
    const chain = {
      chainId: '0x539',
      chainName: 'Remote',
      rpcUrls: ['http://203.0.113.5:8545'],
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    };
    expect(await rejection(call('wallet_addEthereumChain', [chain]))).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/^Invalid network rpcUrl: /),
    });
    expect(windows.openCalls).toEqual([]);
    const added = call('wallet_addEthereumChain', [{ ...chain, rpcUrls: ['https://rpc.example'] }]);
    await rejectNext();
    expect(await rejection(added)).toMatchObject({ code: 4001 });
    expect(await networks.find(1337)).toBeUndefined();
  });
});

describe('DappRpc adding a chain whose RPC serves another chain', () => {
  it('refuses with -32602 before any window (EIP-3085: check eth_chainId)', async () => {
    const { call, windows } = await setup(); // the fake node answers 0x7a69
    const chain = {
      chainId: '0x539',
      chainName: 'Liar',
      rpcUrls: ['https://rpc.example'],
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    };
    expect(await rejection(call('wallet_addEthereumChain', [chain]))).toMatchObject({
      code: -32602,
      message: 'The RPC URL https://rpc.example serves chain 0x7a69, not 0x539',
    });
    expect(windows.openCalls).toEqual([]);
  });
});

describe('DappRpc passthrough', () => {
  it("forwards read-only methods to the selected network's node, params as given", async () => {
    const { call, approveNext, node, rpcNetworks } = await setup({
      eth_getBalance: ([address, block]) =>
        address === A0 && block === 'latest' ? '0x21e19e0c9bab2400000' : '0x0',
    });
    expect(await call('eth_blockNumber')).toBe('0x1');
    expect(await call('eth_getBalance', [A0, 'latest'])).toBe('0x21e19e0c9bab2400000');
    expect(node.calls.map((c) => [c.url, c.method, c.params])).toEqual([
      [DEVNET.rpcUrl, 'eth_blockNumber', []],
      [DEVNET.rpcUrl, 'eth_getBalance', [A0, 'latest']],
    ]);

    const switched = call('wallet_switchEthereumChain', [{ chainId: '0x14a34' }]);
    await approveNext();
    await switched;
    await call('eth_blockNumber');
    expect(node.calls.at(-1)?.url).toBe(BASE_SEPOLIA.rpcUrl);
    expect(rpcNetworks).toEqual([31337, 31337, 84532]);
  });

  it("passes the node's error through with its code, message and data", async () => {
    const { call } = await setup({
      eth_call: () => {
        throw new NodeError(3, 'execution reverted: Not owner', '0x08c379a0');
      },
    });
    expect(await rejection(call('eth_call', [{ to: A1, data: '0x8da5cb5b' }, 'latest']))).toMatchObject({
      code: 3,
      message: 'execution reverted: Not owner',
      data: '0x08c379a0',
    });
  });

  it('refuses malformed passthrough params with -32602 without calling the node', async () => {
    const { call, node } = await setup();
    expect(await rejection(call('eth_call', { to: A1 }))).toMatchObject({ code: -32602 });
    expect(node.calls).toEqual([]);
  });
});

describe('DappRpc eth_sendTransaction, what it refuses or adapts', () => {
  it('refuses fields it would not sign and fee fields viem rejects, with -32602 before any window', async () => {
    const { call, connect, windows } = await setup();
    await connect();
    expect(
      await rejection(
        call('eth_sendTransaction', [{ from: A0, to: A1, accessList: [{ address: A1, storageKeys: [] }] }]),
      ),
    ).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/accessList: access lists are not supported/),
    });
    expect(
      await rejection(
        call('eth_sendTransaction', [{ from: A0, to: A1, maxFeePerGas: '0x1', maxPriorityFeePerGas: '0x2' }]),
      ),
    ).toMatchObject({ code: -32602, message: expect.stringMatching(/^Invalid transaction: /) });
    expect(windows.openCalls).toHaveLength(1); // the connect window only
  });

  it('sends a legacy transaction on a chain without a base fee', async () => {
    const { call, connect, approveNext, node } = await setup({
      eth_getBlockByNumber: () => ({
        number: '0x1',
        hash: `0x${'11'.repeat(32)}`,
        parentHash: `0x${'00'.repeat(32)}`,
        timestamp: '0x6853c3c0',
        gasLimit: '0x1c9c380',
        gasUsed: '0x0',
        miner: '0x0000000000000000000000000000000000000000',
        transactions: [],
      }),
    });
    await connect();
    const sent = call('eth_sendTransaction', [{ from: A0, to: A1, value: '0x1' }]);
    await approveNext();
    await sent;
    expect(parseTransaction(node.state.sent[0] as Hex).type).toBe('legacy');
  });
});

describe('DappRpc eth_sendTransaction', () => {
  it('prepares, asks, re-reads the nonce after approval, signs with account 0 and sends', async () => {
    const { call, connect, nextApproval, approvals, node } = await setup();
    await connect();
    const sent = call('eth_sendTransaction', [{ from: A0, to: A1, value: '0xde0b6b3a7640000' }]);
    const approval = await nextApproval();
    expect(approval).toMatchObject({ origin: DAPP, method: 'eth_sendTransaction' });
    expect(approval.details).toEqual({
      kind: 'sendTransaction',
      address: A0,
      transaction: {
        to: A1,
        valueWei: '1000000000000000000',
        data: '0x',
        gas: '21000',
        maxFeePerGasWei: '2200000000', // 1.2 × the 1 gwei base fee + the 1 gwei tip
        gasPriceWei: null,
        maxFeeWei: '46200000000000',
        network: DEVNET,
      },
    });
    expect(node.state.sent).toEqual([]);

    node.state.nonce = 7; // another transaction went out while the user was deciding
    approvals.decide(approval.id, { approved: true });
    const hash = (await sent) as Hex;

    expect(node.state.sent).toHaveLength(1);
    const raw = node.state.sent[0] as Hex;
    expect(hash).toBe(keccak256(raw));
    expect(
      await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerializedEIP1559 }),
    ).toBe(A0);
    const tx = parseTransaction(raw);
    expect(tx.type).toBe('eip1559');
    expect(tx.chainId).toBe(31337);
    expect(tx.nonce).toBe(7);
    expect(isAddressEqual(tx.to as Address, A1)).toBe(true);
    expect(tx.value).toBe(10n ** 18n);
    expect(tx.gas).toBe(21000n);
    expect(tx.maxFeePerGas).toBe(2_200_000_000n);
    expect(tx.maxPriorityFeePerGas).toBe(1_000_000_000n);
    const methods = node.methods();
    expect(methods.filter((m) => m === 'eth_getTransactionCount')).toHaveLength(2);
    expect(methods.at(-2)).toBe('eth_getTransactionCount');
    expect(methods.at(-1)).toBe('eth_sendRawTransaction');
  });

  it("uses the dapp's own nonce as given, and sends legacy transactions with EIP-155 replay protection", async () => {
    const { call, connect, approveNext, node } = await setup();
    await connect();
    const sent = call('eth_sendTransaction', [
      { from: A0, to: A1, value: '0x1', nonce: '0x2a', type: '0x0' },
    ]);
    const approval = await approveNext();
    expect(approval.details).toMatchObject({
      // 1.2 × the node's 2 gwei gas price, viem's default safety margin
      transaction: { gasPriceWei: '2400000000', maxFeePerGasWei: null, maxFeeWei: '50400000000000' },
    });
    await sent;
    const raw = node.state.sent[0] as Hex;
    const tx = parseTransaction(raw);
    expect(tx).toMatchObject({
      type: 'legacy',
      nonce: 42,
      chainId: 31337,
      gasPrice: 2_400_000_000n,
      value: 1n,
    });
    expect(
      await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerializedLegacy }),
    ).toBe(A0);
    expect(node.methods()).not.toContain('eth_getTransactionCount');
  });

  it('refuses an unpermitted sender with 4100 and a chain mismatch with -32602, before the node or a window', async () => {
    const { call, connect, node, windows } = await setup();
    expect(await rejection(call('eth_sendTransaction', [{ from: A0, to: A1 }]))).toMatchObject({
      code: 4100,
    });
    await connect();
    expect(
      await rejection(call('eth_sendTransaction', [{ from: A0, to: A1, chainId: '0x1' }])),
    ).toMatchObject({
      code: -32602,
      message: 'The transaction is for chain 1, but the selected chain is 31337',
    });
    expect(node.calls).toEqual([]);
    expect(windows.openCalls).toHaveLength(1);
  });

  it('sends nothing when the user rejects', async () => {
    const { call, connect, rejectNext, node } = await setup();
    await connect();
    const sent = call('eth_sendTransaction', [{ from: A0, to: A1, value: '0x1' }]);
    await rejectNext();
    expect(await rejection(sent)).toMatchObject({ code: 4001 });
    expect(node.state.sent).toEqual([]);
  });

  it("reports a revert during gas estimation to the dapp as the node's own error, before any window", async () => {
    const { rpc, connect, node, windows } = await setup({
      eth_estimateGas: () => {
        throw new NodeError(3, 'execution reverted: Not enough balance', '0x08c379a0');
      },
    });
    await connect();
    // Through the real port server, as DappService wires it.
    const server = new DappPortServer({
      extensionId: 'ext',
      ready: Promise.resolve(),
      handle: (origin, method, params) => rpc.handle(origin, method, params),
    });
    const sender: DappPortSender = { id: 'ext', url: `${DAPP}/`, frameId: 0, tab: { id: 1 } };
    const { client, server: end } = connectedPorts(DAPP_PORT_NAME, sender);
    server.accept(end);
    const received: unknown[] = [];
    client.onMessage.addListener((message) => received.push(message));
    client.postMessage({
      type: 'request',
      id: 1,
      method: 'eth_sendTransaction',
      params: [{ from: A0, to: A1 }],
    });
    for (let i = 0; i < 20 && received.length === 0; i++) await tick();
    expect(received).toEqual([
      {
        type: 'response',
        id: 1,
        error: { code: 3, message: 'execution reverted: Not enough balance', data: '0x08c379a0' },
      },
    ]);
    expect(windows.openCalls).toHaveLength(1);
    expect(node.state.sent).toEqual([]);
  });
});
