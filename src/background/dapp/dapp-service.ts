/**
 * Everything a website can reach: the EIP-1193 handlers (with the `cairn_*` messaging
 * methods), permissions, approvals, networks and the bridge port server, plus the
 * privileged UI methods that manage them (approval window, connected sites, networks).
 */
import type { Address } from 'viem';
import { JsonRpcClient } from '../../chain/json-rpc-client';
import { type Network, toHexChainId } from '../../chain/networks';
import type { KeyValueStore } from '../../keyring/key-value-store';
import type { Keyring } from '../../keyring/keyring';
import { AccountSendLock } from '../account-send-lock';
import type { MessageView } from '../messaging/message-views';
import type { NetworksState, UiHandlers, WalletState } from '../ui-api-contract';
import { ApprovalController, type ApprovalWindows } from './approval-controller';
import { type MessengerSource, toDappIncoming } from './dapp-messaging';
import { type DappPort, DappPortServer } from './dapp-port-server';
import { DappRpc } from './dapp-rpc';
import { NetworkStore } from './network-store';
import { PermissionsStore } from './permissions-store';
import { type SendToTab, SiteTabs } from './site-tabs';

export interface DappServiceOptions {
  keyring: Keyring;
  localStore: KeyValueStore;
  /** Memory-only storage (which tab shows which site). */
  sessionStore: KeyValueStore;
  windows: ApprovalWindows;
  sendToTab: SendToTab;
  extensionId: string;
  ready: Promise<unknown>;
  log: (message: string) => void;
  /** The messenger behind the `cairn_*` methods. */
  messaging?: MessengerSource;
  rpcFor?: (network: Network) => JsonRpcClient;
  now?: () => number;
}

export type DappUiMethods =
  | 'getApproval'
  | 'resolveApproval'
  | 'listConnectedSites'
  | 'revokeSite'
  | 'getNetworks'
  | 'selectNetwork'
  | 'addNetwork'
  | 'removeNetwork';

export class DappService {
  readonly permissions: PermissionsStore;
  readonly networks: NetworkStore;
  readonly approvals: ApprovalController;
  readonly rpc: DappRpc;
  readonly server: DappPortServer;
  readonly tabs: SiteTabs;
  /** One transaction at a time per account, for sites and the wallet's own transactions. */
  readonly sendLock = new AccountSendLock();
  /** The JSON-RPC client of a network (the wallet's own transactions use it too). */
  readonly rpcFor: (network: Network) => JsonRpcClient;
  readonly #log: (message: string) => void;
  #lastStatus: WalletState['status'] | undefined;

  constructor(options: DappServiceOptions) {
    const { log } = options;
    this.#log = log;
    this.rpcFor = options.rpcFor ?? ((network) => new JsonRpcClient({ url: network.rpcUrl }));
    this.permissions = new PermissionsStore(options.localStore, log);
    this.tabs = new SiteTabs(options.sessionStore, options.sendToTab);
    this.networks = new NetworkStore(options.localStore, log);
    this.approvals = new ApprovalController({ windows: options.windows, now: options.now });
    this.server = new DappPortServer({
      extensionId: options.extensionId,
      ready: options.ready,
      now: options.now,
      handle: (origin, method, params) => this.rpc.handle(origin, method, params),
      onAccept: (tabId, origin) => {
        this.tabs.remember(tabId, origin).catch(() => log('Could not record a site tab'));
      },
      onError: (method, error) =>
        log(`dapp method ${method} failed: ${error instanceof Error ? error.name : 'unknown error'}`),
    });
    this.rpc = new DappRpc({
      keyring: options.keyring,
      permissions: this.permissions,
      approvals: this.approvals,
      networks: this.networks,
      ...(options.messaging ? { messaging: options.messaging } : {}),
      rpcFor: this.rpcFor,
      sendLock: this.sendLock,
      ...(options.now ? { now: options.now } : {}),
      events: {
        accountsChanged: (origin, accounts) => void this.#emit(origin, 'accountsChanged', accounts),
        chainChanged: (chainId) => void this.#emitToPermitted('chainChanged', chainId),
      },
    });
  }

  handleConnect(port: DappPort): boolean {
    return this.server.accept(port);
  }

  /** Lock and unlock change what every connected site may see. Never throws: events are best effort. */
  async walletStateChanged(state: WalletState): Promise<void> {
    const previous = this.#lastStatus;
    this.#lastStatus = state.status;
    if (previous === state.status || previous === undefined) return;
    try {
      for (const origin of await this.tabs.origins()) {
        if (!(await this.permissions.get(origin))) continue;
        await this.tabs.emit(origin, 'accountsChanged', await this.rpc.permittedAccounts(origin));
      }
    } catch (error) {
      this.#log(
        `Could not tell sites about the wallet state: ${error instanceof Error ? error.name : 'unknown error'}`,
      );
    }
  }

  /**
   * A new message from a peer of `account`: the `message` event `{ type: 'cairn_message', data }`
   * goes to the tabs of every site that holds the messaging permission as that account.
   * Never throws: events are best effort.
   */
  async messageReceived(account: Address, message: MessageView): Promise<void> {
    try {
      const event = { type: 'cairn_message', data: toDappIncoming(message) };
      for (const origin of await this.tabs.origins()) {
        if (await this.rpc.messaging.actsAs(origin, account)) await this.tabs.emit(origin, 'message', event);
      }
    } catch (error) {
      this.#log(
        `Could not tell sites about a message: ${error instanceof Error ? error.name : 'unknown error'}`,
      );
    }
  }

  async #emit(origin: string, event: 'accountsChanged', data: unknown): Promise<void> {
    await this.tabs.emit(origin, event, data).catch((error: unknown) => {
      this.#log(
        `Could not tell a site about ${event}: ${error instanceof Error ? error.name : 'unknown error'}`,
      );
    });
  }

  async #emitToPermitted(event: 'chainChanged', data: unknown): Promise<void> {
    try {
      for (const origin of await this.tabs.origins()) {
        if (await this.permissions.get(origin)) await this.tabs.emit(origin, event, data);
      }
    } catch (error) {
      this.#log(
        `Could not tell sites about the ${event}: ${error instanceof Error ? error.name : 'unknown error'}`,
      );
    }
  }

  async #networksState(): Promise<NetworksState> {
    return {
      networks: await this.networks.list(),
      selectedChainId: (await this.networks.selected()).chainId,
    };
  }

  async #selectNetwork(chainId: number): Promise<NetworksState> {
    const before = (await this.networks.selected()).chainId;
    await this.networks.select(chainId);
    if (before !== chainId) await this.#emitToPermitted('chainChanged', toHexChainId(chainId));
    return this.#networksState();
  }

  readonly uiHandlers: Pick<UiHandlers, DappUiMethods> = {
    getApproval: async ({ id }) => this.approvals.get(id) ?? null,
    resolveApproval: async ({ id, approved, accounts }) => {
      const decided = this.approvals.decide(
        id,
        approved ? { approved: true, ...(accounts ? { accounts } : {}) } : { approved: false },
      );
      return { decided };
    },
    listConnectedSites: () => this.permissions.list(),
    revokeSite: async ({ origin }) => {
      await this.rpc.revoke(origin);
      return this.permissions.list();
    },
    getNetworks: () => this.#networksState(),
    selectNetwork: ({ chainId }) => this.#selectNetwork(chainId),
    addNetwork: async (network) => {
      await this.networks.add(network);
      return this.#networksState();
    },
    removeNetwork: async ({ chainId }) => {
      const before = (await this.networks.selected()).chainId;
      await this.networks.remove(chainId);
      const after = (await this.networks.selected()).chainId;
      if (before !== after) await this.#emitToPermitted('chainChanged', toHexChainId(after));
      return this.#networksState();
    },
  };
}
