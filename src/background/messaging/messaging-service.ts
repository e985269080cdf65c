/**
 * The messenger's life in the background: started when the wallet unlocks (node,
 * identities, catch-up), stopped when it locks; UI handlers; badge and notifications;
 * alarms that wake a sleeping worker to retry the outbox and poll the relays.
 *
 * Starts and stops run one at a time, in the order the wallet asked for them. A lock
 * cancels a start in progress: the start checks its signal after every await and
 * tears down what it created, so a locked wallet never keeps a node or an open store.
 */

import type { Address } from 'viem';
import type { KeyValueStore } from '../../keyring/key-value-store';
import type { AlarmScheduler } from '../auto-lock';
import type { UiHandlers, WalletState } from '../ui-api-contract';
import type { KeyRegistryLookup } from './bundle-resolver';
import { Coalesced } from './coalesced';
import { ConversationNotices } from './conversation-notices';
import type { MessageDb } from './message-db';
import type { MessageView, MessagingSettings, RelayStatus } from './message-views';
import type { MessagingIdentities } from './messaging-identity';
import type { MessagingNetwork } from './messaging-network';
import { sealKeyFor } from './messaging-seal-key';
import { readMessagingSettings, writeMessagingSettings } from './messaging-settings';
import { type MessagingUiMethods, messagingUiHandlers } from './messaging-ui-handlers';
import { Messenger } from './messenger';
import { MessengerStoppedError } from './messenger-errors';
import { updateUnreadBadge } from './unread-badge';

export type { MessagingNetwork } from './messaging-network';
export type { MessagingUiMethods } from './messaging-ui-handlers';

export interface Notifier {
  setBadge(text: string): Promise<void>;
  /** Shows a notification; one with the same `id` replaces it. */
  notify(id: string, title: string, body: string): Promise<void>;
}

export interface MessagingServiceOptions {
  identities: Pick<MessagingIdentities, 'ensure'>;
  localStore: KeyValueStore;
  alarms: AlarmScheduler;
  notifier: Notifier;
  /** Opens the message store; the seal key comes from the unlocked vault. */
  openDb(sealKey: Uint8Array): Promise<MessageDb>;
  startNetwork(signal: AbortSignal): Promise<MessagingNetwork>;
  /** The CID a peer published in the KeyRegistry (the bundle fallback; blocks come from `network`). */
  keyRegistry?: KeyRegistryLookup['cidOf'];
  /**
   * The background's session restore. A wake alarm on a cold worker waits for it, then
   * briefly for the wallet state it announces, before deciding whether messaging runs.
   * A function, so the caller can pass a promise it creates later.
   */
  ready?: () => Promise<unknown>;
  /** UI events. `added`: the change is only these newly stored messages. */
  onMessages(account: Address, topics: string[], added?: MessageView[]): void;
  onRelay(status: RelayStatus): void;
  /** New messages for dapps with the messaging permission. */
  onIncoming?(account: Address, message: MessageView): void;
  /** A message is on a relay's disk (ours acknowledged, or one received): anchoring follows it. */
  onStored?(account: Address, messageId: string, topic: string): void;
  log(message: string): void;
  /** At most one notification per conversation this often (default 5 s). */
  notificationIntervalMs?: number;
}

export const MESSAGING_WAKE_ALARM = 'cairn.messaging.wake';
export const OUTBOX_RETRY_ALARM = 'cairn.messaging.retry';
/** Chrome's shortest alarm period: a sleeping worker checks the relays at least this often. */
const WAKE_MINUTES = 1;
const NOTIFICATION_INTERVAL_MS = 5_000;
/** How long a cold worker's alarm waits for the restored wallet state to be announced. */
const STATE_WAIT_MS = 2_000;

const STOPPED: RelayStatus = { node: 'stopped', relays: [] };

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

/** What a start has created so far: torn down on lock, failure or cancellation. */
interface Parts {
  abort: AbortController;
  db?: MessageDb;
  network?: MessagingNetwork;
  messenger?: Messenger;
  badge?: Coalesced;
}

interface Running extends Required<Parts> {
  accounts: Address[];
}

/** The wallet state messaging follows: unlocked for these accounts, or stopped (null). */
interface Target {
  key: string;
  abort: AbortController;
}

export class MessagingService {
  readonly #options: MessagingServiceOptions;
  #running: Running | null = null;
  #target: Target | null = null;
  /** Starts and stops, one at a time; never rejects. */
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #status: RelayStatus = STOPPED;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #notices: ConversationNotices;
  #stateSeen = false;
  #onStateSeen: () => void = () => {};
  readonly #stateSeenPromise = new Promise<void>((resolve) => {
    this.#onStateSeen = resolve;
  });

  constructor(options: MessagingServiceOptions) {
    this.#options = options;
    this.#notices = new ConversationNotices({
      sink: options.notifier,
      enabled: async () => (await this.getSettings()).notifications,
      intervalMs: options.notificationIntervalMs ?? NOTIFICATION_INTERVAL_MS,
      log: options.log,
    });
  }

  /** Follows the wallet: unlocked → running for its accounts, anything else → stopped. Never rejects. */
  walletStateChanged(state: WalletState): Promise<void> {
    this.#markStateSeen();
    if (state.status !== 'unlocked') return this.stop();
    const accounts = state.accounts.map((account) => account.address);
    const key = accountsKey(accounts);
    // Running or starting for these accounts already (a failed start resets the target).
    if (this.#target?.key === key) return this.#queue;
    this.#target?.abort.abort();
    const target: Target = { key, abort: new AbortController() };
    this.#target = target;
    return this.#enqueue(async () => {
      if (this.#running) await this.#stopNow();
      if (target.abort.signal.aborted) return;
      const started = await this.#startNow(accounts, target.abort);
      if (!started && this.#target === target) this.#target = null;
    });
  }

  /** Stops messaging, cancelling a start in progress; resolves once everything is closed. */
  stop(): Promise<void> {
    this.#markStateSeen();
    this.#target?.abort.abort();
    this.#target = null;
    return this.#enqueue(() => this.#stopNow());
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#pending += 1;
    const next = this.#queue
      .then(task)
      .catch((error: unknown) => this.#options.log(`Messaging: ${errorName(error)}`))
      .finally(() => {
        this.#pending -= 1;
      });
    this.#queue = next;
    return next;
  }

  #markStateSeen(): void {
    this.#stateSeen = true;
    this.#onStateSeen();
  }

  /** Returns whether messaging now runs; on failure or cancellation everything it opened is closed. */
  async #startNow(accounts: Address[], abort: AbortController): Promise<boolean> {
    const options = this.#options;
    const { signal } = abort;
    const parts: Parts = { abort };
    try {
      const first = accounts[0];
      if (!first) throw new MessengerStoppedError();
      this.#setStatus({ node: 'starting', relays: [] });
      const sealKey = await sealKeyFor(options.identities, first);
      signal.throwIfAborted();
      const db = await options.openDb(sealKey);
      parts.db = db;
      signal.throwIfAborted();
      const network = await options.startNetwork(signal);
      parts.network = network;
      signal.throwIfAborted();
      const badge = new Coalesced(() =>
        updateUnreadBadge(db, (text) => options.notifier.setBadge(text), signal, options.log),
      );
      parts.badge = badge;
      const messenger: Messenger = new Messenger({
        db,
        identities: options.identities,
        transport: network,
        // The KeyRegistry fallback reads the CID on chain and fetches the block from the relays.
        keyRegistry: options.keyRegistry && {
          cidOf: options.keyRegistry,
          fetchBlock: network.fetchBlock.bind(network),
        },
        onChange: (account, topics, added) => {
          if (signal.aborted) return;
          options.onMessages(account, topics, added);
          void badge.request();
        },
        // `notify` is false for messages that asked for no push and old ones found catching up
        // (absent: notify, as a Messenger without the flag meant).
        onIncoming: (account: Address, message: MessageView, info?: { notify: boolean }) => {
          if (signal.aborted) return;
          if (info?.notify ?? true) this.#notices.add(message, signal);
          options.onIncoming?.(account, message);
        },
        onStored: (account, messageId, topic) => options.onStored?.(account, messageId, topic),
        scheduleRetry: (atMs) => {
          if (!signal.aborted) this.#scheduleRetry(messenger, atMs);
        },
        log: options.log,
      });
      parts.messenger = messenger;
      const running: Running = { accounts, abort, db, network, messenger, badge };
      network.onStatus((status) => {
        if (this.#running === running) this.#setStatus(status);
      });
      network.onReconnect(() => {
        if (signal.aborted) return;
        messenger.catchUp().catch((error: unknown) => options.log(`Catch-up failed: ${errorName(error)}`));
        messenger
          .flushOutbox({ ignoreBackoff: true })
          .catch((error: unknown) => options.log(`Outbox flush failed: ${errorName(error)}`));
      });
      await messenger.start(accounts);
      signal.throwIfAborted();
      await options.alarms
        .schedule(MESSAGING_WAKE_ALARM, WAKE_MINUTES)
        .catch((error: unknown) => options.log(`Wake alarm: ${errorName(error)}`));
      signal.throwIfAborted();
      await badge.request();
      signal.throwIfAborted();
      this.#running = running;
      this.#setStatus(network.status());
      return true;
    } catch (error) {
      if (!signal.aborted) options.log(`Messaging did not start: ${errorName(error)}`);
      await this.#teardown(parts);
      await this.#afterStop();
      return false;
    }
  }

  async #stopNow(): Promise<void> {
    const running = this.#running;
    this.#running = null;
    if (running) await this.#teardown(running);
    await this.#afterStop();
  }

  async #teardown(parts: Parts): Promise<void> {
    const { log } = this.#options;
    parts.abort.abort();
    await parts.messenger?.stop().catch((error: unknown) => log(`Messenger stop: ${errorName(error)}`));
    await parts.network?.stop().catch((error: unknown) => log(`Node stop: ${errorName(error)}`));
    // A badge scan in flight still reads the store.
    await parts.badge?.settled();
    try {
      parts.db?.close();
    } catch (error) {
      log(`Message store close: ${errorName(error)}`);
    }
  }

  /** Stopped: no timers, no alarms, no badge, no notification state (it holds message previews). */
  async #afterStop(): Promise<void> {
    const { alarms, notifier, log } = this.#options;
    clearTimeout(this.#retryTimer);
    this.#notices.clear();
    for (const name of [MESSAGING_WAKE_ALARM, OUTBOX_RETRY_ALARM]) {
      await alarms.clear(name).catch((error: unknown) => log(`Alarm clear: ${errorName(error)}`));
    }
    await notifier.setBadge('').catch((error: unknown) => log(`Badge: ${errorName(error)}`));
    this.#setStatus(STOPPED);
  }

  /** A wake-up alarm: retry the outbox and poll the relays (live gossip may have been missed asleep). */
  async handleAlarm(name: string): Promise<void> {
    if (name !== MESSAGING_WAKE_ALARM && name !== OUTBOX_RETRY_ALARM) return;
    const { alarms, log } = this.#options;
    await this.#settled();
    const running = this.#live();
    if (!running) {
      // Locked: nothing to wake for any more.
      await alarms.clear(name).catch((error: unknown) => log(`Alarm clear: ${errorName(error)}`));
      return;
    }
    const { messenger } = running;
    if (name === MESSAGING_WAKE_ALARM) {
      // Alarms fire once: the next wake is set before anything here can fail.
      await alarms
        .schedule(MESSAGING_WAKE_ALARM, WAKE_MINUTES)
        .catch((error: unknown) => log(`Wake alarm: ${errorName(error)}`));
    }
    await messenger.flushOutbox().catch((error: unknown) => log(`Outbox flush failed: ${errorName(error)}`));
    if (name === MESSAGING_WAKE_ALARM) {
      await messenger.catchUp().catch((error: unknown) => log(`Catch-up failed: ${errorName(error)}`));
    }
  }

  /**
   * Waits for the restored session, for its wallet state to reach us (on a cold worker an
   * alarm arrives first), and for the starts and stops that state caused.
   */
  async #settled(): Promise<void> {
    await this.#options.ready?.().catch(() => undefined);
    if (!this.#stateSeen) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STATE_WAIT_MS);
      });
      await Promise.race([this.#stateSeenPromise, timeout]);
      clearTimeout(timer);
    }
    await this.#queue;
  }

  /** The running messenger unless a stop or a newer start is already under way. */
  #live(): Running | null {
    const running = this.#running;
    return running && !running.abort.signal.aborted ? running : null;
  }

  #scheduleRetry(messenger: Messenger, atMs: number | null): void {
    const { alarms, log } = this.#options;
    const failed = (error: unknown) => log(`Retry alarm: ${errorName(error)}`);
    clearTimeout(this.#retryTimer);
    if (atMs === null) {
      alarms.clear(OUTBOX_RETRY_ALARM).catch(failed);
      return;
    }
    const delay = Math.max(0, atMs - Date.now());
    // A timer while the worker lives; the alarm (30 s minimum in Chrome) if it sleeps first.
    this.#retryTimer = setTimeout(() => {
      messenger.flushOutbox().catch((error: unknown) => log(`Outbox flush failed: ${errorName(error)}`));
    }, delay);
    alarms.schedule(OUTBOX_RETRY_ALARM, Math.max(0.5, delay / 60_000)).catch(failed);
  }

  #setStatus(status: RelayStatus): void {
    this.#status = status;
    this.#options.onRelay(status);
  }

  async getSettings(): Promise<MessagingSettings> {
    return readMessagingSettings(this.#options.localStore);
  }

  /** Waits for a start in progress (a popup opened right after unlocking). @throws MessengerStoppedError */
  async #ready(): Promise<Running> {
    for (;;) {
      const running = this.#live();
      if (running) return running;
      if (!this.#target || this.#pending === 0) throw new MessengerStoppedError();
      await this.#queue;
    }
  }

  /** For the dapp API. */
  get messenger(): Promise<Messenger> {
    return this.#ready().then((running) => running.messenger);
  }

  /** The running network (anchoring asks its relays). @throws MessengerStoppedError */
  get network(): Promise<MessagingNetwork> {
    return this.#ready().then((running) => running.network);
  }

  readonly uiHandlers: Pick<UiHandlers, MessagingUiMethods> = messagingUiHandlers({
    ready: () => this.#ready(),
    forgetNotice: (topic) => this.#notices.forget(topic),
    status: () => this.#status,
    getSettings: () => this.getSettings(),
    setSettings: (settings) => writeMessagingSettings(this.#options.localStore, settings),
    log: (message) => this.#options.log(message),
  });
}

function accountsKey(accounts: readonly Address[]): string {
  return accounts
    .map((address) => address.toLowerCase())
    .sort()
    .join();
}
