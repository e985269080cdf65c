/**
 * Composes the background's wallet services from injected platform adapters.
 * The entrypoint passes real browser adapters; tests pass in-memory ones.
 */

import type { KeyValueStore } from '../keyring/key-value-store';
import { Keyring } from '../keyring/keyring';
import { buildSigningTable, isSigningTableBuilt } from '../protocol/signing-curve';
import { DAPP_PORT_NAME } from '../provider/channel';
import type { AnchorDb } from './anchoring/anchor-db';
import { AnchoringService } from './anchoring/anchoring-service';
import { type AlarmScheduler, AutoLock } from './auto-lock';
import type { ApprovalWindows } from './dapp/approval-controller';
import type { DappPort } from './dapp/dapp-port-server';
import { DappService } from './dapp/dapp-service';
import type { SendToTab } from './dapp/site-tabs';
import { KeyRegistryService } from './messaging/key-registry-service';
import type { MessageDb } from './messaging/message-db';
import { MessagingIdentities } from './messaging/messaging-identity';
import {
  MESSAGING_WAKE_ALARM,
  type MessagingNetwork,
  MessagingService,
  type Notifier,
} from './messaging/messaging-service';
import { SettingsStore } from './settings-store';
import { SigningTableWarmUp } from './signing-table-warm-up';
import { UI_PORT_NAME } from './ui-api-contract';
import { type UiPort, UiPortServer } from './ui-port-server';
import { WalletService } from './wallet-service';
import { type OwnTransactions, WalletTransactions } from './wallet-transactions';

export interface WalletBackgroundOptions {
  localStore: KeyValueStore;
  sessionStore: KeyValueStore;
  alarms: AlarmScheduler;
  windows: ApprovalWindows;
  /** `tabs.sendMessage` to a tab's top frame, for events to sites. */
  sendToTab: SendToTab;
  extensionId: string;
  extensionBaseUrl: string;
  /** Never receives secrets: only warnings and error names. */
  log: (message: string) => void;
  /** Messenger adapters: the message store (IndexedDB), the P2P network, badge and notifications. */
  messaging: {
    openDb(sealKey: Uint8Array): Promise<MessageDb>;
    /** The anchoring state of messages (IndexedDB). */
    openAnchorDb(): Promise<AnchorDb>;
    startNetwork(signal: AbortSignal): Promise<MessagingNetwork>;
    notifier: Notifier;
  };
}

/** A runtime port of either kind; the name says which server it is for. */
export type RuntimePort = UiPort & DappPort;

export interface WalletBackground {
  keyring: Keyring;
  wallet: WalletService;
  uiServer: UiPortServer;
  dapp: DappService;
  messaging: MessagingService;
  anchoring: AnchoringService;
  /** Resolves once a session that survived a worker restart has been restored. */
  ready: Promise<unknown>;
  /** Routes a new runtime port to the UI server or the dapp server by its name. */
  handleConnect(port: RuntimePort): void;
  handleWindowRemoved(windowId: number): void;
  handleTabRemoved(tabId: number): void;
  handleAlarm(name: string): Promise<void>;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

export function createWalletBackground(options: WalletBackgroundOptions): WalletBackground {
  const { log } = options;
  const keyring = new Keyring({
    vaultStore: options.localStore,
    sessionStore: options.sessionStore,
    onWarning: log,
  });
  const settings = new SettingsStore(options.localStore, log);
  const autoLock = new AutoLock({
    alarms: options.alarms,
    idleMinutes: () => settings.getAutoLockMinutes(),
    lock: async () => {
      await wallet.lock();
    },
  });
  let uiServer: UiPortServer | undefined;
  let dapp: DappService | undefined;
  // Created with the dapp service (its approvals and RPC clients); used only after both exist.
  let ownTransactions: WalletTransactions | undefined;
  const walletTransactions = (): WalletTransactions => {
    if (!ownTransactions) throw new Error('not ready');
    return ownTransactions;
  };
  const transactions: OwnTransactions = {
    send: (request, signal) => walletTransactions().send(request, signal),
    receiptWithin: (network, txHash, waitMs, signal) =>
      walletTransactions().receiptWithin(network, txHash, waitMs, signal),
    known: (network, txHash, signal) => walletTransactions().known(network, txHash, signal),
  };
  // The networks the wallet knows (the dapp service's store, created below).
  const selectedNetwork = () => (dapp ? dapp.networks.selected() : Promise.reject(new Error('not ready')));
  const networks = async () => (dapp ? dapp.networks.list() : []);
  const identities = new MessagingIdentities(keyring);
  const keyRegistry: KeyRegistryService = new KeyRegistryService({
    identities,
    selectedNetwork,
    networks,
    blocks: () => messaging.network,
    transactions,
    log,
  });
  const messaging: MessagingService = new MessagingService({
    identities,
    keyRegistry: (peer, signal) => keyRegistry.cidOf(peer, signal),
    localStore: options.localStore,
    alarms: options.alarms,
    notifier: options.messaging.notifier,
    openDb: options.messaging.openDb,
    startNetwork: options.messaging.startNetwork,
    // A function: `ready` is created below, after the services it restores for.
    ready: () => ready,
    onMessages: (account, topics, added) =>
      uiServer?.broadcastEvent({
        type: 'event',
        event: 'messages',
        data: added ? { account, topics, added } : { account, topics },
      }),
    onRelay: (status) => uiServer?.broadcastEvent({ type: 'event', event: 'relay', data: status }),
    onIncoming: (account, message) => void dapp?.messageReceived(account, message),
    onStored: (account, messageId, topic) => anchoring.track(account, messageId, topic),
    log,
  });
  const anchoring = new AnchoringService({
    openDb: options.messaging.openAnchorDb,
    proofs: async (ids, signal) => (await messaging.network).anchorProofs(ids, signal),
    networks,
    selectedNetwork,
    messenger: () => messaging.messenger,
    fetchBlock: async (cid, signal) => (await messaging.network).fetchBlock(cid, signal),
    putBlock: async (bytes, signal) => (await messaging.network).putBlock(bytes, signal),
    pinAtRelays: async (cids, signal) => (await messaging.network).pinAtRelays(cids, signal),
    deadlineMinutes: async () => (await messaging.getSettings()).anchorDeadlineMinutes,
    transactions,
    onChange: (account, topics) =>
      uiServer?.broadcastEvent({ type: 'event', event: 'anchors', data: { account, topics } }),
    log,
  });
  const signingTable = new SigningTableWarmUp({
    build: buildSigningTable,
    isBuilt: isSigningTableBuilt,
    log,
  });
  const wallet = new WalletService({
    keyring,
    settings,
    autoLock,
    onStateChange: (state) => {
      uiServer?.broadcast(state);
      void dapp?.walletStateChanged(state);
      void messaging.walletStateChanged(state);
      anchoring.walletStateChanged(state);
      signingTable.walletStateChanged(state);
    },
  });
  const ready = keyring.restoreSession().catch((error: unknown) => {
    log(`Could not restore the session: ${errorName(error)}`);
  });
  // Tell connected sites what the restored state means for them; never part of `ready`,
  // so a failure here cannot block every later request.
  void ready
    .then(async () => {
      const state = await wallet.state();
      void messaging.walletStateChanged(state);
      anchoring.walletStateChanged(state);
      signingTable.walletStateChanged(state, 'restored');
      await dapp?.walletStateChanged(state);
    })
    .catch((error: unknown) => {
      log(`Could not announce the wallet state to sites: ${errorName(error)}`);
    });
  dapp = new DappService({
    keyring,
    localStore: options.localStore,
    sessionStore: options.sessionStore,
    windows: options.windows,
    sendToTab: options.sendToTab,
    extensionId: options.extensionId,
    ready,
    log,
    messaging: {
      get messenger() {
        return messaging.messenger;
      },
      anchors: (account, ids) => anchoring.anchors(account, ids),
    },
  });
  const dappService = dapp;
  ownTransactions = new WalletTransactions({
    keyring,
    approvals: dappService.approvals,
    rpcFor: (network) => dappService.rpcFor(network),
    sendLock: dappService.sendLock,
  });
  uiServer = new UiPortServer({
    extensionId: options.extensionId,
    extensionBaseUrl: options.extensionBaseUrl,
    handlers: {
      ...wallet.handlers,
      ...dappService.uiHandlers,
      ...messaging.uiHandlers,
      ...keyRegistry.uiHandlers,
      getMessageAnchors: ({ account, ids }) => anchoring.anchors(account, ids),
      getRebuildProgress: async () => {
        const progress = anchoring.rebuildProgress();
        return progress
          ? {
              scannedTo: progress.scannedTo.toString(),
              head: progress.head.toString(),
              restored: progress.restored,
            }
          : null;
      },
      verifyMessageAnchor: async ({ account, id }) => {
        const { record, timing } = await anchoring.verifyNow(account, id, AbortSignal.timeout(30_000));
        return { record: record ?? null, timing };
      },
      getOverdueAnchors: ({ account }) => anchoring.overdue(account),
      anchorOverdueMessages: ({ account }) =>
        anchoring.anchorOverdue(account, AbortSignal.timeout(10 * 60_000)),
      rebuildInbox: async ({ account }) => {
        const result = await anchoring.rebuild(account, AbortSignal.timeout(10 * 60_000));
        return { ...result, scannedTo: result.scannedTo.toString(), head: result.head.toString() };
      },
    },
    ready,
    onActivity: (method) => {
      signingTable.activity();
      return wallet.recordActivity(method);
    },
    onError: (method, error) =>
      log(`UI method ${method} failed: ${error instanceof Error ? error.name : 'unknown error'}`),
  });
  const server = uiServer;
  return {
    keyring,
    wallet,
    uiServer: server,
    dapp: dappService,
    messaging,
    anchoring,
    ready,
    handleConnect: (port) => {
      if (port.name === UI_PORT_NAME) server.accept(port);
      else if (port.name === DAPP_PORT_NAME) dappService.handleConnect(port);
      else port.disconnect();
    },
    handleWindowRemoved: (windowId) => dappService.approvals.windowClosed(windowId),
    handleTabRemoved: (tabId) => {
      dappService.tabs.forget(tabId).catch(() => log('Could not forget a closed tab'));
    },
    handleAlarm: async (name) => {
      await ready;
      await autoLock.handleAlarm(name);
      await messaging.handleAlarm(name);
      if (name === MESSAGING_WAKE_ALARM) await anchoring.check();
    },
  };
}
