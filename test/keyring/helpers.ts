/** Shared vectors, stores and vault helpers for the keyring tests. */
import { readFileSync } from 'node:fs';
import { type KeyValueStore, MemoryKeyValueStore } from '../../src/keyring/key-value-store.ts';
import { Keyring, type KeyringOptions } from '../../src/keyring/keyring.ts';
import { MIN_PBKDF2_ITERATIONS } from '../../src/keyring/vault-format.ts';

/** The Hardhat / Anvil / viem test phrase and its first accounts. */
export const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
export const TEST_ADDRESS_0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const TEST_ADDRESS_1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const TEST_ADDRESS_2 = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
export const TEST_PRIVATE_KEY_0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const TEST_PRIVATE_KEY_1 = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
export const PASSWORD = 'correct horse battery staple';

export const FIXTURE_600K = readFileSync(
  new URL('../fixtures/vault-v1-pbkdf2-600k.json', import.meta.url),
  'utf8',
);

/** A MemoryKeyValueStore that can list everything it holds, to scan for leaked secrets. */
export class InspectableStore extends MemoryKeyValueStore {
  readonly #keys = new Set<string>();

  override async set(key: string, value: unknown): Promise<void> {
    this.#keys.add(key);
    await super.set(key, value);
  }

  async dump(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const key of this.#keys) {
      const value = await this.get(key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
}

/** Wraps a store; the next `failures` calls to `set(key)` throw (a simulated crash or quota error). */
export class FailingSetStore implements KeyValueStore {
  constructor(
    readonly inner: KeyValueStore,
    readonly key: string,
    public failures = 1,
  ) {}
  get(key: string) {
    return this.inner.get(key);
  }
  async set(key: string, value: unknown) {
    if (key === this.key && this.failures > 0) {
      this.failures--;
      throw new Error('simulated storage failure');
    }
    await this.inner.set(key, value);
  }
  remove(key: string) {
    return this.inner.remove(key);
  }
}

/** A sleep that records the requested delays and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => {
      delays.push(ms);
    },
  };
}

/** Fresh stores holding `vault` as the stored string. */
export async function storesWithVault(vault: string) {
  const vaultStore = new InspectableStore();
  await vaultStore.set('vault', vault);
  return { vaultStore, sessionStore: new InspectableStore() };
}

/** A keyring at the minimum iteration count (fast; no upgrade), with recorded sleeps and warnings. */
export function testKeyring(options: Partial<KeyringOptions> & Pick<KeyringOptions, 'vaultStore'>) {
  const { sleep, delays } = recordingSleep();
  const warnings: string[] = [];
  const keyring = new Keyring({
    sessionStore: new InspectableStore(),
    sleep,
    kdfIterations: MIN_PBKDF2_ITERATIONS,
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  return { keyring, delays, warnings };
}

/** Creates a vault from the test phrase and returns its stored string. */
export async function createTestVault(iterations = MIN_PBKDF2_ITERATIONS): Promise<string> {
  const vaultStore = new InspectableStore();
  const { keyring } = testKeyring({ vaultStore, kdfIterations: iterations });
  await keyring.createFromMnemonic(PASSWORD, TEST_MNEMONIC);
  const stored = await vaultStore.get('vault');
  if (typeof stored !== 'string') throw new Error('expected a stored vault string');
  return stored;
}

/** Flips the lowest bit of byte `at` (negative counts from the end) of a base64 field of a stored vault. */
export function flipVaultByte(vault: string, field: 'salt' | 'iv' | 'data', at = 0): string {
  const json = JSON.parse(vault);
  const holder = field === 'salt' ? json.kdf : field === 'iv' ? json.cipher : json;
  const bytes = Buffer.from(holder[field], 'base64');
  const index = at < 0 ? bytes.length + at : at;
  bytes[index] = (bytes[index] ?? 0) ^ 1;
  holder[field] = bytes.toString('base64');
  return JSON.stringify(json);
}

/** Parsed JSON that tests edit freely to craft refused or tampered inputs. */
// biome-ignore lint/suspicious/noExplicitAny: tests reach into arbitrary JSON on purpose.
export type JsonObject = Record<string, any>;

/** Rewrites fields of a stored vault (for crafting refused or older vaults). */
export function editVault(vault: string, edit: (json: JsonObject) => void): string {
  const json = JSON.parse(vault);
  edit(json);
  return JSON.stringify(json);
}
