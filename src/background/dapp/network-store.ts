/**
 * The networks the user can select (presets plus their own) and the selected one,
 * persisted in `storage.local`. Unreadable stored entries are skipped, never fatal.
 */
import * as v from 'valibot';
import {
  type CustomNetwork,
  chainIdSchema,
  customNetworkSchema,
  DEVNET,
  type Network,
  PRESET_NETWORKS,
} from '../../chain/networks';
import { CairnError, InvalidParamsError, RpcErrorCode } from '../../keyring/errors';
import type { KeyValueStore } from '../../keyring/key-value-store';
import { Mutex } from '../../keyring/mutex';

const CUSTOM_KEY = 'networks.custom';
const SELECTED_KEY = 'networks.selected';

export class UnknownChainError extends CairnError {
  override name = 'UnknownChainError';
  constructor(chainId: number) {
    super(`Unrecognized chain ID 0x${chainId.toString(16)}; add it with wallet_addEthereumChain first`, {
      code: RpcErrorCode.unrecognizedChain,
    });
  }
}

export class NetworkStore {
  readonly #store: KeyValueStore;
  readonly #onWarning: (message: string) => void;
  /** Read-modify-write of the stored lists: concurrent changes must not lose each other. */
  readonly #writes = new Mutex();

  constructor(store: KeyValueStore, onWarning: (message: string) => void = () => {}) {
    this.#store = store;
    this.#onWarning = onWarning;
  }

  async list(): Promise<Network[]> {
    return [...PRESET_NETWORKS, ...(await this.#custom()).map((n) => ({ ...n, preset: false }))];
  }

  async find(chainId: number): Promise<Network | undefined> {
    return (await this.list()).find((network) => network.chainId === chainId);
  }

  async selected(): Promise<Network> {
    const stored = v.safeParse(chainIdSchema, await this.#store.get(SELECTED_KEY));
    const found = stored.success ? await this.find(stored.output) : undefined;
    return found ?? DEVNET;
  }

  select(chainId: number): Promise<Network> {
    return this.#writes.runExclusive(async () => {
      const network = await this.find(chainId);
      if (!network) throw new UnknownChainError(chainId);
      await this.#store.set(SELECTED_KEY, chainId);
      return network;
    });
  }

  /** Checks a user network without storing it. @throws InvalidParamsError with the reason. */
  async validate(input: unknown): Promise<Network> {
    const parsed = v.safeParse(customNetworkSchema, input);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const field = issue?.path?.map((item) => String(item.key)).join('.');
      throw new InvalidParamsError(
        `Invalid network${field ? ` ${field}` : ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    if (PRESET_NETWORKS.some((preset) => preset.chainId === parsed.output.chainId)) {
      throw new InvalidParamsError(`Chain ${parsed.output.chainId} is a built-in network`);
    }
    return { ...parsed.output, preset: false };
  }

  /** Adds or replaces a user network; presets cannot be replaced. */
  add(input: unknown): Promise<Network> {
    return this.#writes.runExclusive(async () => {
      const { preset: _preset, ...network } = await this.validate(input);
      const rest = (await this.#custom()).filter((n) => n.chainId !== network.chainId);
      await this.#store.set(CUSTOM_KEY, [...rest, network]);
      return { ...network, preset: false };
    });
  }

  remove(chainId: number): Promise<void> {
    return this.#writes.runExclusive(async () => {
      if (PRESET_NETWORKS.some((preset) => preset.chainId === chainId)) {
        throw new InvalidParamsError('Built-in networks cannot be removed');
      }
      await this.#store.set(
        CUSTOM_KEY,
        (await this.#custom()).filter((n) => n.chainId !== chainId),
      );
      // Forget a selection of the removed network, so adding that chain again later does not reselect it.
      if ((await this.#store.get(SELECTED_KEY)) === chainId) await this.#store.remove(SELECTED_KEY);
    });
  }

  async #custom(): Promise<CustomNetwork[]> {
    const stored = await this.#store.get(CUSTOM_KEY);
    if (stored === undefined) return [];
    if (!Array.isArray(stored)) {
      this.#onWarning('Stored networks are unreadable; only built-in networks are available');
      return [];
    }
    const networks: CustomNetwork[] = [];
    for (const entry of stored) {
      const parsed = v.safeParse(customNetworkSchema, entry);
      if (parsed.success) networks.push(parsed.output);
      else this.#onWarning('Ignoring an unreadable stored network');
    }
    return networks;
  }
}
