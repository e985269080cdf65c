/**
 * Composes the background's wallet services from injected platform adapters.
 * The entrypoint passes real browser adapters; tests pass in-memory ones.
 */

import type { KeyValueStore } from '../keyring/key-value-store';
import { Keyring } from '../keyring/keyring';
import { type AlarmScheduler, AutoLock } from './auto-lock';
import { SettingsStore } from './settings-store';
import { type UiPort, UiPortServer } from './ui-port-server';
import { WalletService } from './wallet-service';

export interface WalletBackgroundOptions {
  localStore: KeyValueStore;
  sessionStore: KeyValueStore;
  alarms: AlarmScheduler;
  extensionId: string;
  extensionBaseUrl: string;
  /** Never receives secrets: only warnings and error names. */
  log: (message: string) => void;
}

export interface WalletBackground {
  keyring: Keyring;
  wallet: WalletService;
  uiServer: UiPortServer;
  /** Resolves once a session that survived a worker restart has been restored. */
  ready: Promise<unknown>;
  handleConnect(port: UiPort): void;
  handleAlarm(name: string): Promise<void>;
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
  const wallet = new WalletService({
    keyring,
    settings,
    autoLock,
    onStateChange: (state) => uiServer?.broadcast(state),
  });
  const ready = keyring.restoreSession().catch((error: unknown) => {
    log(`Could not restore the session: ${error instanceof Error ? error.name : 'unknown error'}`);
  });
  uiServer = new UiPortServer({
    extensionId: options.extensionId,
    extensionBaseUrl: options.extensionBaseUrl,
    handlers: wallet.handlers,
    ready,
    onActivity: () => wallet.recordActivity(),
    onError: (method, error) =>
      log(`UI method ${method} failed: ${error instanceof Error ? error.name : 'unknown error'}`),
  });
  const server = uiServer;
  return {
    keyring,
    wallet,
    uiServer: server,
    ready,
    handleConnect: (port) => {
      server.accept(port);
    },
    handleAlarm: async (name) => {
      await ready;
      await autoLock.handleAlarm(name);
    },
  };
}
