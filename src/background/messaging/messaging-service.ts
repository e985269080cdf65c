/**
 * The messenger's life in the background: started when the wallet unlocks (node,
 * identities, catch-up), stopped when it locks; UI handlers; badge and notifications;
 * alarms that wake a sleeping worker to retry the outbox and poll the relays.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Address } from 'viem';
import type { KeyValueStore } from '../../keyring/key-value-store';
import type { AlarmScheduler } from '../auto-lock';
import type { UiHandlers, WalletState } from '../ui-api-contract';
import { previewOf } from './display-content';
import type { MessageDb } from './message-db';
import type { MessageView, MessagingSettings, RelayStatus } from './message-views';
import type { MessagingIdentities } from './messaging-identity';
import type { MessagingTransport } from './messaging-transport';
import { Messenger } from './messenger';
import { MessengerStoppedError } from './messenger-errors';

/** A started network transport, stopped on lock. */
export interface MessagingNetwork extends MessagingTransport {
  status(): RelayStatus;
  onStatus(listener: (status: RelayStatus) => void): void;
  /** Called when a relay connection (re)opens: time to catch up. */
  onReconnect(listener: () => void): void;
  stop(): Promise<void>;
}

export interface Notifier {
  setBadge(text: string): Promise<void>;
  notify(id: string, title: string, body: string): Promise<void>;
}

export interface MessagingServiceOptions {
  identities: MessagingIdentities;
  localStore: KeyValueStore;
  alarms: AlarmScheduler;
  notifier: Notifier;
  /** Opens the message store; the seal key comes from the unlocked vault. */
  openDb(sealKey: Uint8Array): Promise<MessageDb>;
  startNetwork(signal: AbortSignal): Promise<MessagingNetwork>;
  /** UI events. */
  onMessages(account: Address, topics: string[]): void;
  onRelay(status: RelayStatus): void;
  /** New messages for dapps with the messaging permission. */
  onIncoming?(account: Address, message: MessageView): void;
  log(message: string): void;
}

export const MESSAGING_WAKE_ALARM = 'cairn.messaging.wake';
export const OUTBOX_RETRY_ALARM = 'cairn.messaging.retry';
/** Chrome's shortest alarm period: a sleeping worker checks the relays at least this often. */
const WAKE_MINUTES = 1;
const SETTINGS_KEY = 'settings.messaging';

export type MessagingUiMethods =
  | 'listConversations'
  | 'getMessages'
  | 'canMessage'
  | 'sendMessage'
  | 'markConversationRead'
  | 'getRelayStatus'
  | 'getMessagingSettings'
  | 'setMessagingSettings';

const STOPPED: RelayStatus = { node: 'stopped', relays: [] };

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

interface Running {
  accounts: Address[];
  db: MessageDb;
  network: MessagingNetwork;
  messenger: Messenger;
  abort: AbortController;
}

export class MessagingService {
  readonly #options: MessagingServiceOptions;
  #running: Running | null = null;
  #starting: Promise<Running | null> | null = null;
  #status: RelayStatus = STOPPED;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: MessagingServiceOptions) {
    this.#options = options;
  }

  /** Follows the wallet: unlocked → running for its accounts, anything else → stopped. */
  async walletStateChanged(state: WalletState): Promise<void> {
    if (state.status === 'unlocked') {
      const accounts = state.accounts.map((account) => account.address);
      const running = this.#running;
      if (running && sameAccounts(running, accounts)) return;
      await this.#start(accounts);
    } else {
      await this.stop();
    }
  }

  #start(accounts: Address[]): Promise<Running | null> {
    const previous = this.#starting ?? Promise.resolve(null);
    const starting = previous
      .catch(() => null)
      .then(async () => {
        await this.stop();
        return this.#startNow(accounts);
      })
      .catch((error: unknown) => {
        this.#options.log(`Messaging did not start: ${errorName(error)}`);
        this.#setStatus(STOPPED);
        return null;
      });
    this.#starting = starting;
    return starting.finally(() => {
      if (this.#starting === starting) this.#starting = null;
    });
  }

  async #startNow(accounts: Address[]): Promise<Running> {
    const options = this.#options;
    const first = accounts[0];
    if (!first) throw new MessengerStoppedError();
    this.#setStatus({ node: 'starting', relays: [] });
    const sealKey = await sealKeyFor(options.identities, first);
    const db = await options.openDb(sealKey);
    const abort = new AbortController();
    let network: MessagingNetwork;
    try {
      network = await options.startNetwork(abort.signal);
    } catch (error) {
      db.close();
      throw error;
    }
    const messenger = new Messenger({
      db,
      identities: options.identities,
      transport: network,
      onChange: (account, topics) => {
        options.onMessages(account, topics);
        void this.#updateBadge();
      },
      onIncoming: (account, message) => {
        void this.#notify(message);
        options.onIncoming?.(account, message);
      },
      scheduleRetry: (atMs) => this.#scheduleRetry(atMs),
      log: options.log,
    });
    const running: Running = { accounts, db, network, messenger, abort };
    this.#running = running;
    network.onStatus((status) => this.#setStatus(status));
    network.onReconnect(() => {
      void messenger.catchUp().catch((error: unknown) => options.log(`Catch-up failed: ${errorName(error)}`));
      void messenger.flushOutbox({ ignoreBackoff: true });
    });
    this.#setStatus(network.status());
    await messenger.start(accounts);
    await options.alarms.schedule(MESSAGING_WAKE_ALARM, WAKE_MINUTES);
    await this.#updateBadge();
    return running;
  }

  async stop(): Promise<void> {
    const running = this.#running;
    this.#running = null;
    clearTimeout(this.#retryTimer);
    if (!running) return;
    running.abort.abort();
    await running.messenger.stop();
    await running.network
      .stop()
      .catch((error: unknown) => this.#options.log(`Node stop: ${errorName(error)}`));
    running.db.close();
    await this.#options.alarms.clear(MESSAGING_WAKE_ALARM);
    await this.#options.alarms.clear(OUTBOX_RETRY_ALARM);
    await this.#options.notifier.setBadge('').catch(() => undefined);
    this.#setStatus(STOPPED);
  }

  /** A wake-up alarm: retry the outbox and poll the relays (live gossip may have been missed asleep). */
  async handleAlarm(name: string): Promise<void> {
    if (name !== MESSAGING_WAKE_ALARM && name !== OUTBOX_RETRY_ALARM) return;
    const running = this.#running ?? (await this.#starting);
    if (!running) return;
    await running.messenger.flushOutbox();
    if (name === MESSAGING_WAKE_ALARM) await running.messenger.catchUp();
  }

  #scheduleRetry(atMs: number | null): void {
    clearTimeout(this.#retryTimer);
    if (atMs === null) {
      void this.#options.alarms.clear(OUTBOX_RETRY_ALARM);
      return;
    }
    const delay = Math.max(0, atMs - Date.now());
    // A timer while the worker lives; the alarm (30 s minimum in Chrome) if it sleeps first.
    this.#retryTimer = setTimeout(() => void this.#running?.messenger.flushOutbox(), delay);
    void this.#options.alarms.schedule(OUTBOX_RETRY_ALARM, Math.max(0.5, delay / 60_000));
  }

  #setStatus(status: RelayStatus): void {
    this.#status = status;
    this.#options.onRelay(status);
  }

  async #updateBadge(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    const unread = await running.db.totalUnread();
    const text = unread === 0 ? '' : unread > 99 ? '99+' : String(unread);
    await this.#options.notifier.setBadge(text).catch(() => undefined);
  }

  async #notify(message: MessageView): Promise<void> {
    if (!(await this.getSettings()).notifications) return;
    const peer = `${message.sender.slice(0, 6)}…${message.sender.slice(-4)}`;
    await this.#options.notifier
      .notify(`cairn-message-${message.id}`, `Message from ${peer}`, previewOf(message.content).slice(0, 200))
      .catch((error: unknown) => this.#options.log(`Notification failed: ${errorName(error)}`));
  }

  async getSettings(): Promise<MessagingSettings> {
    const stored = await this.#options.localStore.get(SETTINGS_KEY);
    if (
      typeof stored === 'object' &&
      stored !== null &&
      typeof (stored as MessagingSettings).notifications === 'boolean'
    ) {
      return { notifications: (stored as MessagingSettings).notifications };
    }
    return { notifications: true };
  }

  #messenger(): Messenger {
    const running = this.#running;
    if (!running) throw new MessengerStoppedError();
    return running.messenger;
  }

  /** Waits for a start in progress (a popup opened right after unlocking). */
  async #ready(): Promise<Messenger> {
    if (!this.#running && this.#starting) await this.#starting;
    return this.#messenger();
  }

  /** For the dapp API. */
  get messenger(): Promise<Messenger> {
    return this.#ready();
  }

  readonly uiHandlers: Pick<UiHandlers, MessagingUiMethods> = {
    listConversations: async ({ account }) => (await this.#ready()).listConversations(account),
    getMessages: async ({ account, peer, before, limit }) =>
      (await this.#ready()).getMessages(account, peer, {
        ...(before === undefined ? {} : { before }),
        ...(limit === undefined ? {} : { limit }),
      }),
    canMessage: async ({ account, address }) => ({
      canMessage: await (await this.#ready()).canMessage(account, address),
    }),
    sendMessage: async ({ account, to, text }) =>
      (await this.#ready()).send(account, to, { kind: 'text', text }),
    markConversationRead: async ({ account, peer }) => ({
      unread: await (await this.#ready()).markRead(account, peer),
    }),
    getRelayStatus: async () => this.#status,
    getMessagingSettings: () => this.getSettings(),
    setMessagingSettings: async (settings) => {
      await this.#options.localStore.set(SETTINGS_KEY, { notifications: settings.notifications });
      return this.getSettings();
    },
  };
}

function sameAccounts(running: Running, accounts: Address[]): boolean {
  const key = (list: readonly Address[]) =>
    list
      .map((address) => address.toLowerCase())
      .sort()
      .join();
  return key(running.accounts) === key(accounts);
}

/** The message store's seal key: derived from the first account's messaging identity (vault-held). */
async function sealKeyFor(identities: MessagingIdentities, account: Address): Promise<Uint8Array> {
  const me = await identities.ensure(account);
  return hkdf(
    sha256,
    me.identityKey.secretKey,
    new TextEncoder().encode('cairn/message-db/v1'),
    undefined,
    32,
  );
}
