/** Networks (presets plus the user's) and the selected one, over a MemoryKeyValueStore. */
import { describe, expect, it } from 'vitest';
import { NetworkStore, UnknownChainError } from '../../../src/background/dapp/network-store';
import { DEVNET, PRESET_NETWORKS } from '../../../src/chain/networks';
import { InvalidParamsError } from '../../../src/keyring/errors';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';

const CUSTOM_KEY = 'networks.custom';
const SELECTED_KEY = 'networks.selected';

const LOCAL_TWO = {
  chainId: 1337,
  name: 'Local two',
  rpcUrl: 'http://127.0.0.1:8546',
  currencySymbol: 'ETH',
};
const GNOSIS = {
  chainId: 100,
  name: 'Gnosis',
  rpcUrl: 'https://rpc.gnosischain.com',
  currencySymbol: 'xDAI',
  blockExplorerUrl: 'https://gnosisscan.io',
};

function setup() {
  const store = new MemoryKeyValueStore();
  const warnings: string[] = [];
  const networks = new NetworkStore(store, (message) => warnings.push(message));
  return { store, warnings, networks };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('NetworkStore presets and selection', () => {
  it('lists the devnet, Base Sepolia and OP Sepolia, and selects the devnet by default', async () => {
    const { networks } = setup();
    expect((await networks.list()).map((n) => [n.chainId, n.name, n.preset])).toEqual([
      [31337, 'Cairn devnet', true],
      [84532, 'Base Sepolia', true],
      [11155420, 'OP Sepolia', true],
    ]);
    expect(await networks.selected()).toEqual(DEVNET);
    expect(DEVNET.rpcUrl).toBe('http://127.0.0.1:8545');
  });

  it('selects a known network and persists the choice', async () => {
    const { store, networks } = setup();
    expect((await networks.select(84532)).name).toBe('Base Sepolia');
    expect(await store.get(SELECTED_KEY)).toBe(84532);
    expect((await new NetworkStore(store).selected()).chainId).toBe(84532);
  });

  it('refuses to select an unknown chain with 4902, leaving the selection as it was', async () => {
    const { networks } = setup();
    const error = await rejection(networks.select(1));
    expect(error).toBeInstanceOf(UnknownChainError);
    expect(error).toMatchObject({
      code: 4902,
      message: 'Unrecognized chain ID 0x1; add it with wallet_addEthereumChain first',
    });
    expect((await networks.selected()).chainId).toBe(31337);
  });

  it('falls back to the devnet when the stored selection is unreadable', async () => {
    const { store, networks } = setup();
    for (const stored of ['84532', -1, 1.5, { chainId: 84532 }, 999]) {
      await store.set(SELECTED_KEY, stored);
      expect(await networks.selected()).toEqual(DEVNET);
    }
  });
});

describe('NetworkStore user networks', () => {
  it('adds a network (not a preset), persists it and replaces one of the same chain id', async () => {
    const { store, networks } = setup();
    expect(await networks.add(GNOSIS)).toEqual({ ...GNOSIS, preset: false });
    expect(await networks.find(100)).toEqual({ ...GNOSIS, preset: false });
    expect(await store.get(CUSTOM_KEY)).toEqual([GNOSIS]);

    await networks.add({ ...GNOSIS, name: '  Gnosis Chain  ' });
    const list = await new NetworkStore(store).list();
    expect(list).toHaveLength(PRESET_NETWORKS.length + 1);
    expect(list.at(-1)).toEqual({ ...GNOSIS, name: 'Gnosis Chain', preset: false });
  });

  it('accepts http RPC URLs only on loopback hosts', async () => {
    const { networks } = setup();
    for (const rpcUrl of ['http://127.0.0.1:8546', 'http://localhost:8545', 'http://[::1]:8545/rpc']) {
      expect((await networks.validate({ ...LOCAL_TWO, rpcUrl })).rpcUrl).toBe(rpcUrl);
    }
    for (const rpcUrl of [
      'http://192.168.1.10:8545',
      'http://rpc.example.com',
      'http://localhost.evil.example:8545',
      'http://127.0.0.1.nip.io:8545',
      'ws://127.0.0.1:8545',
      'ftp://127.0.0.1/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      const error = await rejection(networks.validate({ ...LOCAL_TWO, rpcUrl }));
      expect(error).toBeInstanceOf(InvalidParamsError);
      expect(error).toMatchObject({
        code: -32602,
        message:
          'Invalid network rpcUrl: RPC URL must be https:// (or http:// on 127.0.0.1, localhost or [::1])',
      });
    }
  });

  it('refuses RPC URLs with credentials, and explorers that are not https', async () => {
    const { networks } = setup();
    await expect(
      networks.add({ ...GNOSIS, rpcUrl: 'https://user:secret@rpc.example' }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/^Invalid network rpcUrl: /),
    });
    await expect(networks.add({ ...GNOSIS, blockExplorerUrl: 'http://gnosisscan.io' })).rejects.toMatchObject(
      {
        code: -32602,
        message: 'Invalid network blockExplorerUrl: explorer URL must be https://',
      },
    );
  });

  it('refuses malformed networks, naming the field', async () => {
    const { networks } = setup();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ chainId: 0 }, 'Invalid network chainId: chain id must be positive'],
      [{ chainId: 1.5 }, 'Invalid network chainId: Invalid integer: Received 1.5'],
      [{ name: '   ' }, 'Invalid network name: network name is required'],
      [{ currencySymbol: 'E' }, 'Invalid network currencySymbol: symbol must be 2–8 letters or digits'],
      [{ preset: true }, 'Invalid network preset: Invalid key: Expected never but received "preset"'],
    ];
    for (const [override, message] of cases) {
      const error = await rejection(networks.add({ ...LOCAL_TWO, ...override }));
      expect(error).toBeInstanceOf(InvalidParamsError);
      expect(error.message).toBe(message);
    }
    expect((await networks.list()).length).toBe(PRESET_NETWORKS.length);
  });

  it('never replaces or removes a preset', async () => {
    const { networks } = setup();
    const replace = await rejection(
      networks.add({ ...LOCAL_TWO, chainId: 31337, rpcUrl: 'https://evil.example' }),
    );
    expect(replace).toBeInstanceOf(InvalidParamsError);
    expect(replace.message).toBe('Chain 31337 is a built-in network');
    for (const preset of PRESET_NETWORKS) {
      const remove = await rejection(networks.remove(preset.chainId));
      expect(remove).toBeInstanceOf(InvalidParamsError);
      expect(remove.message).toBe('Built-in networks cannot be removed');
    }
    expect(await networks.list()).toEqual(PRESET_NETWORKS);
  });

  it('falls back to the devnet when the selected network is removed', async () => {
    const { networks } = setup();
    await networks.add(LOCAL_TWO);
    await networks.select(1337);
    expect((await networks.selected()).chainId).toBe(1337);
    await networks.remove(1337);
    expect(await networks.selected()).toEqual(DEVNET);
    expect(await networks.find(1337)).toBeUndefined();
  });

  it('does not silently select a removed network again when a network of that chain id is added later', async () => {
    const { networks } = setup();
    await networks.add(LOCAL_TWO);
    await networks.select(1337);
    await networks.remove(1337);
    await networks.add(LOCAL_TWO);
    expect((await networks.selected()).chainId).toBe(31337);
  });
});

describe('NetworkStore unreadable stored networks', () => {
  it('uses the presets with a warning when the stored list is not a list', async () => {
    const { store, networks, warnings } = setup();
    await store.set(CUSTOM_KEY, { 100: GNOSIS });
    expect(await networks.list()).toEqual(PRESET_NETWORKS);
    expect(warnings).toEqual(['Stored networks are unreadable; only built-in networks are available']);
  });

  it('skips unreadable entries with a warning and keeps the rest', async () => {
    const { store, networks, warnings } = setup();
    await store.set(CUSTOM_KEY, [
      GNOSIS,
      { ...LOCAL_TWO, rpcUrl: 'http://10.0.0.1:8545' },
      'garbage',
      { ...LOCAL_TWO, chainId: 1338 },
    ]);
    expect((await networks.list()).slice(PRESET_NETWORKS.length).map((n) => n.chainId)).toEqual([100, 1338]);
    expect(warnings).toEqual(Array(2).fill('Ignoring an unreadable stored network'));
    // Adding still works, and the unreadable entries are not written back.
    await networks.add(LOCAL_TWO);
    expect((await store.get(CUSTOM_KEY)) as unknown[]).toHaveLength(3);
  });
});
