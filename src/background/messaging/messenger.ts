/**
 * The messenger of the unlocked wallet: publishes each account's contact bundle, opens
 * invitations, sends through an outbox that survives worker restarts, and receives
 * (verify → decrypt → dedupe → persist) from live gossip and relay stores.
 *
 * Delivery is correct whatever the worker does: every outgoing envelope is in IndexedDB
 * before it leaves, and every topic is caught up from each relay's store (since that
 * relay's own cursor, saved only once the page is persisted) on start, on reconnect and
 * on each wake-up alarm.
 */
import { type Address, getAddress, isAddressEqual } from 'viem';
import { type Content, defaultContentRegistry } from '../../protocol/content/index';
import {
  bytesToHex,
  type Envelope,
  encodeEnvelope,
  inviteTopic,
  type PrivateKeyBundle,
  sha256,
  type VerifiedBundle,
} from '../../protocol/index';
import type { KeyRegistryLookup } from './bundle-resolver';
import { CatchUp, sleepFor } from './catch-up';
import { type ConversationAccount as AccountState, ConversationOpener, nsToMs } from './conversation-opener';
import { toDisplayContent } from './display-content';
import { InboundEnvelopes } from './inbound-envelopes';
import type { MessageDb } from './message-db';
import type { ConversationView, KeyChangeView, MessageView } from './message-views';
import type { MessagingTransport } from './messaging-transport';
import { MessengerStoppedError } from './messenger-errors';
import { OutboxPublisher, type PendingItem } from './outbox-publisher';
import { contactBundleAcknowledged, queueContactBundle } from './own-contact-bundle';
import { PeerKeys } from './peer-keys';

export interface MessengerOptions {
  db: MessageDb;
  identities: { ensure(address: Address): Promise<PrivateKeyBundle> };
  transport: MessagingTransport;
  /**
   * Something changed in these conversations of `account`; `added` when the change is only
   * these newly stored messages.
   */
  onChange(account: Address, topics: string[], added?: MessageView[]): void;
  /**
   * A new message from a peer arrived (badge, dapp events); `notify` is false when the
   * sender asked for no push or it is an old message found while catching up.
   */
  onIncoming(account: Address, message: MessageView, options: { notify: boolean }): void;
  /** A message is on a relay's disk: ours acknowledged, or one received and stored. */
  onStored?(account: Address, messageId: string, topic: string): void;
  /** Wake the worker at this time to retry the outbox (null: nothing pending). */
  scheduleRetry(atMs: number | null): void;
  log(message: string): void;
  now?: () => number;
  /** Waits between retries of a busy relay (tests shorten it). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Where a peer's bundle is looked up when no relay and no cache has it. */
  keyRegistry?: KeyRegistryLookup;
}

/** How long to wait for a relay before counting a fetch as failed. */
const FETCH_TIMEOUT_MS = 15_000;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

export class Messenger {
  readonly #options: MessengerOptions;
  readonly #now: () => number;
  readonly #accounts = new Map<Address, AccountState>();
  /** Invite topic → account. */
  readonly #inviteTopics = new Map<string, Address>();
  /** Conversation topic → the accounts having it (two accounts of one wallet share a topic). */
  readonly #topicAccounts = new Map<string, Set<Address>>();
  #running = false;
  #abort = new AbortController();
  readonly #outbox: OutboxPublisher;
  readonly #catchUp: CatchUp;
  readonly #conversations: ConversationOpener;
  readonly #inbound: InboundEnvelopes;
  readonly #peers: PeerKeys;

  constructor(options: MessengerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const running = () => this.#running;
    const signal = () => this.#abort.signal;
    this.#peers = new PeerKeys({
      db: options.db,
      transport: options.transport,
      ...(options.keyRegistry ? { registry: options.keyRegistry } : {}),
      accounts: () => this.#accounts.keys(),
      onChange: (account, topics) => this.#options.onChange(account, topics),
      log: (message) => this.#options.log(message),
      now: () => this.#now(),
    });
    this.#outbox = new OutboxPublisher({
      db: options.db,
      transport: options.transport,
      running,
      signal,
      published: (item) => this.#published(item),
      onChange: (account, topics) => this.#options.onChange(account, topics),
      scheduleRetry: (atMs) => this.#options.scheduleRetry(atMs),
      log: (message) => this.#options.log(message),
      now: () => this.#now(),
    });
    this.#catchUp = new CatchUp({
      db: options.db,
      transport: options.transport,
      running,
      signal,
      topics: () => [...this.#inviteTopics.keys(), ...this.#topicAccounts.keys()],
      accounts: () => this.#accounts.values(),
      receive: (envelope) => this.#inbound.receive(envelope, { live: false }),
      republishContactBundle: async (state) => {
        await queueContactBundle(options.db, state.address, state.me, this.#now(), { force: true });
        this.#outbox.flushInBackground();
      },
      sleep: options.sleep ?? sleepFor,
      log: (message) => this.#options.log(message),
    });
    const account = (address: Address) => this.#account(address);
    this.#conversations = new ConversationOpener({
      db: options.db,
      account,
      resolveBundle: (peer) => this.resolveBundle(peer),
      started: (address, topic) => {
        this.#addTopic(topic, address);
        this.#updateLiveTopics();
      },
      now: () => this.#now(),
    });
    this.#inbound = new InboundEnvelopes({
      db: options.db,
      transport: options.transport,
      conversations: this.#conversations,
      topics: {
        inviteAccount: (topic) => this.#inviteTopics.get(topic),
        accounts: (topic) => this.#topicAccounts.get(topic),
        add: (topic, address) => this.#addTopic(topic, address),
        remove: (topic, address) => this.#removeTopic(topic, address),
        updateLive: () => this.#updateLiveTopics(),
      },
      catchUp: this.#catchUp,
      running,
      signal,
      account,
      onChange: (address, topics, added) => this.#options.onChange(address, topics, added),
      onIncoming: (address, message, notify) => this.#options.onIncoming(address, message, notify),
      onStored: (address, id, topic) => this.#options.onStored?.(address, id, topic),
      peerInvited: (peer, stored, next) => this.#peers.invitation(peer, stored, next),
      log: (message) => this.#options.log(message),
      now: () => this.#now(),
    });
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts for these accounts: identities, contact bundles, subscriptions, catch-up, outbox. */
  async start(accounts: readonly Address[]): Promise<void> {
    if (this.#running) await this.stop();
    this.#abort = new AbortController();
    this.#running = true;
    this.#options.transport.onEnvelope((envelope) => {
      this.#inbound
        .receive(envelope, { live: true })
        .catch((error: unknown) => this.#options.log(`Dropped a live envelope: ${errorName(error)}`));
    });
    for (const address of accounts.map((account) => getAddress(account))) {
      const me = await this.#options.identities.ensure(address);
      this.#accounts.set(address, { address, me });
      this.#inviteTopics.set(inviteTopic(address), address);
      for (const conversation of await this.#options.db.listConversations(address)) {
        this.#addTopic(conversation.topic, address);
      }
      await queueContactBundle(this.#options.db, address, me, this.#now());
    }
    this.#updateLiveTopics();
    this.flushOutbox({ ignoreBackoff: true }).catch((error: unknown) =>
      this.#options.log(`Outbox flush failed: ${errorName(error)}`),
    );
    this.catchUp().catch((error: unknown) => this.#options.log(`Catch-up failed: ${errorName(error)}`));
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    this.#options.transport.setLiveTopics([]);
    this.#accounts.clear();
    this.#inviteTopics.clear();
    this.#topicAccounts.clear();
    this.#conversations.clear();
    this.#catchUp.reset();
    this.#outbox.clearHot();
    this.#inbound.clear();
    await Promise.allSettled([this.#outbox.flushing, this.#catchUp.settled()]);
  }

  #account(address: Address): AccountState {
    const state = this.#accounts.get(getAddress(address));
    if (!this.#running || !state) throw new MessengerStoppedError();
    return state;
  }

  #addTopic(topic: string, account: Address): void {
    const accounts = this.#topicAccounts.get(topic) ?? new Set<Address>();
    accounts.add(account);
    this.#topicAccounts.set(topic, accounts);
  }

  #removeTopic(topic: string, account: Address): void {
    const accounts = this.#topicAccounts.get(topic);
    accounts?.delete(account);
    if (accounts?.size === 0) this.#topicAccounts.delete(topic);
  }

  #updateLiveTopics(): void {
    this.#options.transport.setLiveTopics([...this.#inviteTopics.keys(), ...this.#topicAccounts.keys()]);
  }

  // ── Peers ────────────────────────────────────────────────────────────

  /** The peer's verified contact bundle: local cache, then the relay directory, then the KeyRegistry. */
  resolveBundle(address: Address, options: { fresh?: boolean } = {}): Promise<VerifiedBundle | null> {
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]);
    return this.#peers.resolve(address, options, signal);
  }

  /** The identity-key changes of `peer` this wallet noticed, for `account`'s chat. */
  async keyChanges(account: Address, peer: Address): Promise<KeyChangeView[]> {
    this.#account(account);
    return this.#peers.list(getAddress(peer));
  }

  async canMessage(account: Address, address: Address): Promise<boolean> {
    this.#account(account);
    return (await this.resolveBundle(address)) !== null;
  }

  // ── Sending ──────────────────────────────────────────────────────────

  /** Queues `content` to `to` (status `queued`) and starts delivering it. @throws NoMessagingIdentityError */
  async send(account: Address, to: Address, content: Content): Promise<MessageView> {
    const state = this.#account(account);
    const { conversation } = await this.#conversations.with(state, getAddress(to));
    const { payload, shouldPush } = defaultContentRegistry.encode(content);
    const createdNs = BigInt(this.#now()) * 1_000_000n;
    const sent = await conversation.send(payload, { createdNs, shouldPush });
    const envelope = encodeEnvelope(sent.envelope);
    const view: MessageView = {
      id: sent.id,
      topic: conversation.topic,
      sender: state.address,
      direction: 'out',
      content: toDisplayContent(defaultContentRegistry.decode(payload)),
      sentAt: nsToMs(createdNs),
      status: 'queued',
    };
    await this.#options.db.queueOutgoingMessage(
      {
        account: state.address,
        id: sent.id,
        topic: conversation.topic,
        sender: state.address,
        sentAt: view.sentAt,
        content: view.content,
      },
      { envelope, id: `message:${sent.id}` },
    );
    this.#options.onChange(state.address, [conversation.topic]);
    this.#inbound.remember(state.address, sent.id);
    // Persisted: publish it straight from memory instead of reading the outbox back first.
    this.#outbox.addHot({
      id: `message:${sent.id}`,
      account: state.address,
      kind: 'message',
      topic: conversation.topic,
      envelope,
      messageId: sent.id,
      attempts: 0,
    });
    this.#outbox.flushInBackground();
    return view;
  }

  /**
   * Publishes what is due in the outbox; one run at a time, re-run if asked meanwhile.
   * `ignoreBackoff` (on start and on a relay reconnect) retries everything at once.
   */
  flushOutbox(options: { ignoreBackoff?: boolean } = {}): Promise<void> {
    return this.#outbox.flush(options);
  }

  /** Bookkeeping after a relay acknowledged an outbox item. */
  async #published(item: PendingItem): Promise<void> {
    if (item.kind === 'message') {
      this.#options.onChange(item.account, [item.topic]);
      if (item.messageId) this.#options.onStored?.(item.account, item.messageId, item.topic);
    }
    if (item.kind === 'invitation') this.#conversations.invitationPublished(item.account, item.id);
    const state = item.kind === 'contact' ? this.#accounts.get(item.account) : undefined;
    if (state) await contactBundleAcknowledged(this.#options.db, item.account, state.me);
  }

  // ── Receiving ────────────────────────────────────────────────────────

  /**
   * Fetches every known topic from every readable relay since that relay's cursor, invite
   * topics first. One run at a time; a request during a run schedules one more run.
   */
  catchUp(): Promise<void> {
    return this.#catchUp.run();
  }

  // ── Reading ──────────────────────────────────────────────────────────

  async listConversations(account: Address): Promise<ConversationView[]> {
    return this.#options.db.listConversations(this.#account(account).address);
  }

  /**
   * A message found while rebuilding the inbox from chain + IPFS: received as a caught-up one
   * (verified, decrypted, deduplicated). True when it is new in `account`'s inbox.
   */
  async receiveRecovered(account: Address, envelope: Envelope): Promise<boolean> {
    const id = bytesToHex(sha256(envelope.message));
    if (await this.#options.db.hasMessage(getAddress(account), id)) return false;
    await this.#inbound.receive(envelope, { live: false });
    return this.#options.db.hasMessage(getAddress(account), id);
  }

  async getMessages(
    account: Address,
    peer: Address,
    page: { before?: number; limit?: number },
  ): Promise<MessageView[]> {
    const state = this.#account(account);
    const conversation = await this.#options.db.getConversationByPeer(state.address, getAddress(peer));
    if (!conversation) return [];
    return this.#options.db.getMessages(state.address, conversation.topic, {
      ...(page.before === undefined ? {} : { before: page.before }),
      limit: page.limit ?? 50,
    });
  }

  /** Marks the conversation read and tells the peer with a read receipt (which shows them "Delivered"). */
  async markRead(account: Address, peer: Address): Promise<number> {
    const state = this.#account(account);
    const record = await this.#options.db.getConversationByPeer(state.address, getAddress(peer));
    if (!record) return 0;
    if (record.unread === 0) return 0;
    await this.#options.db.markRead(state.address, record.topic);
    this.#options.onChange(state.address, [record.topic]);
    if (!isAddressEqual(record.peer, state.address)) {
      await this.#sendReceipt(state, record.topic).catch((error: unknown) =>
        this.#options.log(`Could not queue a read receipt: ${errorName(error)}`),
      );
    }
    return 0;
  }

  async #sendReceipt(state: AccountState, topic: string): Promise<void> {
    const { conversation } = await this.#conversations.openStored(state.address, topic);
    const { payload } = defaultContentRegistry.encode({ kind: 'readReceipt' });
    const sent = await conversation.send(payload, {
      createdNs: BigInt(this.#now()) * 1_000_000n,
      shouldPush: false,
    });
    await this.#options.db.enqueue({
      id: `receipt:${sent.id}`,
      account: state.address,
      kind: 'receipt',
      topic,
      envelope: encodeEnvelope(sent.envelope),
    });
    this.#outbox.flushInBackground();
  }
}
