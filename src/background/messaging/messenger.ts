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
import { sha256 } from '@noble/hashes/sha2.js';
import { type Address, getAddress, isAddressEqual } from 'viem';
import { type Content, defaultContentRegistry } from '../../protocol/content/index';
import {
  bytesToHex,
  Conversation,
  contactTopic,
  deriveInvitation,
  type Envelope,
  encodeContactBundle,
  encodeEnvelope,
  encodeSignedPublicKeyBundle,
  equalBytes,
  inviteTopic,
  isConversationTopic,
  openSealedInvitation,
  type PrivateKeyBundle,
  publicBundleOf,
  type VerifiedBundle,
  verifyContactBundleFor,
} from '../../protocol/index';
import { CatchUp, sleepFor } from './catch-up';
import { toDisplayContent } from './display-content';
import type { MessageDb } from './message-db';
import type { ConversationView, MessageView } from './message-views';
import type { MessagingTransport } from './messaging-transport';
import { MessengerStoppedError, NoMessagingIdentityError } from './messenger-errors';
import { OutboxPublisher, type PendingItem } from './outbox-publisher';

export interface MessengerOptions {
  db: MessageDb;
  identities: { ensure(address: Address): Promise<PrivateKeyBundle> };
  transport: MessagingTransport;
  /** Something changed in these conversations of `account`. */
  onChange(account: Address, topics: string[]): void;
  /**
   * A new message from a peer arrived (badge, dapp events); `notify` is false when the
   * sender asked for no push or it is an old message found while catching up.
   */
  onIncoming(account: Address, message: MessageView, options: { notify: boolean }): void;
  /** Wake the worker at this time to retry the outbox (null: nothing pending). */
  scheduleRetry(atMs: number | null): void;
  log(message: string): void;
  now?: () => number;
  /** Waits between retries of a busy relay (tests shorten it). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** How long to wait for a relay before counting a fetch as failed. */
const FETCH_TIMEOUT_MS = 15_000;
/** Bundles older than this are fetched again before starting a new conversation. */
const BUNDLE_CACHE_MS = 24 * 60 * 60_000;
/** A sender's clock may run ahead this much; later timestamps are shown as "now". */
const MAX_CLOCK_SKEW_MS = 2 * 60_000;
/** Messages older than this found while catching up do not raise a notification. */
const NOTIFY_MAX_AGE_MS = 5 * 60_000;
/** Message ids kept in memory to drop echoes and repeats of live envelopes without a read. */
const RECENT_IDS = 2048;

interface AccountState {
  address: Address;
  me: PrivateKeyBundle;
}

interface OpenConversation {
  account: Address;
  conversation: Conversation;
}

function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

const conversationKey = (account: Address, topic: string) => `${account} ${topic}`;

export class Messenger {
  readonly #options: MessengerOptions;
  readonly #now: () => number;
  readonly #accounts = new Map<Address, AccountState>();
  /** Invite topic → account. */
  readonly #inviteTopics = new Map<string, Address>();
  /** Conversation topic → the accounts having it (two accounts of one wallet share a topic). */
  readonly #topicAccounts = new Map<string, Set<Address>>();
  /** `account topic` → the opened conversation (opened lazily). */
  readonly #open = new Map<string, Promise<OpenConversation>>();
  /** Conversations whose invitations a relay acknowledged in this session. */
  readonly #invitationsStored = new Set<string>();
  #running = false;
  /** `account id` of messages recently sent or stored, oldest first (bounded). */
  readonly #recentIds = new Set<string>();
  #abort = new AbortController();
  readonly #outbox: OutboxPublisher;
  readonly #catchUp: CatchUp;

  constructor(options: MessengerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const running = () => this.#running;
    const signal = () => this.#abort.signal;
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
      receive: (envelope) => this.#receive(envelope, { live: false }),
      republishContactBundle: async (state) => {
        await this.#publishContactBundle(state.address, state.me, { force: true });
        this.#flushInBackground();
      },
      sleep: options.sleep ?? sleepFor,
      log: (message) => this.#options.log(message),
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
      this.#receive(envelope, { live: true }).catch((error: unknown) =>
        this.#options.log(`Dropped a live envelope: ${errorName(error)}`),
      );
    });
    for (const address of accounts.map((account) => getAddress(account))) {
      const me = await this.#options.identities.ensure(address);
      this.#accounts.set(address, { address, me });
      this.#inviteTopics.set(inviteTopic(address), address);
      for (const conversation of await this.#options.db.listConversations(address)) {
        this.#addTopic(conversation.topic, address);
      }
      await this.#publishContactBundle(address, me);
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
    this.#open.clear();
    this.#invitationsStored.clear();
    this.#catchUp.reset();
    this.#outbox.clearHot();
    this.#recentIds.clear();
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

  #remember(account: Address, id: string): void {
    const key = `${account} ${id}`;
    this.#recentIds.delete(key);
    this.#recentIds.add(key);
    if (this.#recentIds.size > RECENT_IDS) {
      const oldest = this.#recentIds.values().next().value;
      if (oldest !== undefined) this.#recentIds.delete(oldest);
    }
  }

  #removeTopic(topic: string, account: Address): void {
    const accounts = this.#topicAccounts.get(topic);
    accounts?.delete(account);
    if (accounts?.size === 0) this.#topicAccounts.delete(topic);
  }

  #updateLiveTopics(): void {
    this.#options.transport.setLiveTopics([...this.#inviteTopics.keys(), ...this.#topicAccounts.keys()]);
  }

  /** Queues the account's contact bundle unless a relay already acknowledged this very bundle. */
  async #publishContactBundle(address: Address, me: PrivateKeyBundle, options: { force?: boolean } = {}) {
    const published = await this.#options.db.getCursor(publishedMarker(address));
    const digest = encodeSignedPublicKeyBundle(publicBundleOf(me));
    if (!options.force && published && equalBytes(published, digest)) return;
    const envelope = encodeEnvelope({
      contentTopic: contactTopic(address),
      timestampNs: BigInt(this.#now()) * 1_000_000n,
      message: encodeContactBundle(publicBundleOf(me)),
    });
    await this.#options.db.enqueue({
      id: `contact:${address}:${this.#now()}`,
      account: address,
      kind: 'contact',
      topic: contactTopic(address),
      envelope,
    });
  }

  // ── Peers ────────────────────────────────────────────────────────────

  /** The peer's verified contact bundle: local cache, then the relay directory. */
  async resolveBundle(address: Address, options: { fresh?: boolean } = {}): Promise<VerifiedBundle | null> {
    const peer = getAddress(address);
    const cached = await this.#options.db.getBundle(peer);
    if (cached && !options.fresh && this.#now() - cached.fetchedAt < BUNDLE_CACHE_MS) {
      try {
        return verifyContactBundleFor(peer, cached.bundle);
      } catch {
        // A corrupted cache entry: ask the relay again.
      }
    }
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]);
    const latest = await this.#options.transport.latest(contactTopic(peer), signal);
    if (!latest) {
      if (!cached) return null;
      try {
        return verifyContactBundleFor(peer, cached.bundle);
      } catch {
        return null;
      }
    }
    const verified = verifyContactBundleFor(peer, latest.message);
    await this.#options.db.putBundle(peer, latest.message, this.#now());
    return verified;
  }

  async canMessage(account: Address, address: Address): Promise<boolean> {
    this.#account(account);
    return (await this.resolveBundle(address)) !== null;
  }

  // ── Sending ──────────────────────────────────────────────────────────

  /** Queues `content` to `to` (status `queued`) and starts delivering it. @throws NoMessagingIdentityError */
  async send(account: Address, to: Address, content: Content): Promise<MessageView> {
    const state = this.#account(account);
    const { conversation } = await this.#conversationWith(state, getAddress(to));
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
    this.#remember(state.address, sent.id);
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
    this.#flushInBackground();
    return view;
  }

  #flushInBackground(options: { ignoreBackoff?: boolean } = {}): void {
    this.#outbox.flushInBackground(options);
  }

  /** The conversation with `peer`, starting it (and queueing both invitations) when new. */
  async #conversationWith(state: AccountState, peer: Address): Promise<OpenConversation> {
    const stored = await this.#options.db.getConversationByPeer(state.address, peer);
    if (stored) {
      const open = await this.#openStored(state.address, stored.topic);
      // Until a relay acknowledged the invitations in this session, queue them again (same bytes:
      // a relay answers "duplicate"): a worker killed between writes must not leave the peer
      // without the invitation while our messages show "sent".
      if (!this.#invitationsStored.has(conversationKey(state.address, stored.topic))) {
        await this.#queueInvitations(
          state,
          peer,
          stored.topic,
          stored.invitation,
          stored.invitationTimestampNs,
        );
      }
      return open;
    }
    const bundle = await this.resolveBundle(peer);
    if (!bundle) throw new NoMessagingIdentityError(peer);
    const createdNs = BigInt(this.#now()) * 1_000_000n;
    const { conversation, sealed } = await Conversation.start({
      me: state.me,
      myAddress: state.address,
      peer: bundle,
      createdNs,
    });
    await this.#options.db.upsertConversation({
      account: state.address,
      topic: conversation.topic,
      peer: bundle.address,
      peerBundle: encodeSignedPublicKeyBundle(bundle),
      invitation: sealed,
      invitationTimestampNs: createdNs,
      createdAt: nsToMs(createdNs),
      lastActivityAt: nsToMs(createdNs),
      unread: 0,
      lastMessageId: null,
    });
    await this.#queueInvitations(state, bundle.address, conversation.topic, sealed, createdNs);
    const open = { account: state.address, conversation };
    this.#open.set(conversationKey(state.address, conversation.topic), Promise.resolve(open));
    this.#addTopic(conversation.topic, state.address);
    this.#updateLiveTopics();
    return open;
  }

  /** Both parties' invite topics: the peer learns the conversation, our other devices too. */
  async #queueInvitations(
    state: AccountState,
    peer: Address,
    topic: string,
    sealed: Uint8Array,
    createdNs: bigint,
  ): Promise<void> {
    const targets = isAddressEqual(peer, state.address)
      ? [inviteTopic(state.address)]
      : [inviteTopic(peer), inviteTopic(state.address)];
    for (const target of targets) {
      await this.#options.db.enqueue({
        id: invitationItemId(state.address, topic, target),
        account: state.address,
        kind: 'invitation',
        topic: target,
        envelope: encodeEnvelope({ contentTopic: target, timestampNs: createdNs, message: sealed }),
      });
    }
  }

  /** Re-opens a stored conversation from its sealed invitation (no key material is stored). */
  #openStored(account: Address, topic: string): Promise<OpenConversation> {
    const key = conversationKey(account, topic);
    let opening = this.#open.get(key);
    if (!opening) {
      opening = (async () => {
        const state = this.#account(account);
        const record = await this.#options.db.getConversation(state.address, topic);
        if (!record) throw new MessengerStoppedError();
        const opened = await openSealedInvitation({
          me: state.me,
          sealed: record.invitation,
          envelopeTimestampNs: record.invitationTimestampNs,
        });
        return { account: state.address, conversation: Conversation.fromOpenedInvitation(state.me, opened) };
      })();
      opening.catch(() => this.#open.delete(key));
      this.#open.set(key, opening);
    }
    return opening;
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
    if (item.kind === 'message') this.#options.onChange(item.account, [item.topic]);
    if (item.kind === 'invitation') {
      const topic = conversationTopicOfItem(item.id);
      if (topic) this.#invitationsStored.add(conversationKey(item.account, topic));
    }
    if (item.kind === 'contact') {
      const state = this.#accounts.get(item.account);
      if (state) {
        await this.#options.db.setCursor(
          publishedMarker(item.account),
          encodeSignedPublicKeyBundle(publicBundleOf(state.me)),
        );
      }
    }
  }

  // ── Receiving ────────────────────────────────────────────────────────

  /**
   * Fetches every known topic from every readable relay since that relay's cursor, invite
   * topics first. One run at a time; a request during a run schedules one more run.
   */
  catchUp(): Promise<void> {
    return this.#catchUp.run();
  }

  /** Routes an envelope to the accounts it is for. @throws on storage errors and bad input */
  async #receive(envelope: Envelope, options: { live: boolean }): Promise<void> {
    if (!this.#running) throw new MessengerStoppedError();
    const inviteAccount = this.#inviteTopics.get(envelope.contentTopic);
    if (inviteAccount) return this.#receiveInvitation(inviteAccount, envelope);
    const accounts = this.#topicAccounts.get(envelope.contentTopic);
    if (!accounts || !isConversationTopic(envelope.contentTopic)) return;
    for (const account of [...accounts]) await this.#receiveMessage(account, envelope, options);
  }

  async #receiveInvitation(account: Address, envelope: Envelope): Promise<void> {
    const state = this.#account(account);
    const opened = await openSealedInvitation({
      me: state.me,
      sealed: envelope.message,
      envelopeTimestampNs: envelope.timestampNs,
    });
    const topic = opened.invitation.topic;
    // A 1:1 topic is derived from both parties' keys: anyone else claiming it is forging.
    const expected = deriveInvitation({
      me: state.me,
      myAddress: state.address,
      peer: opened.peer,
      ...(opened.invitation.context ? { conversationId: opened.invitation.context.conversationId } : {}),
    });
    if (expected.topic !== topic || !equalBytes(expected.keyMaterial, opened.invitation.keyMaterial)) {
      this.#options.log('Dropped an invitation whose topic is not the one its parties derive');
      return;
    }
    if (this.#topicAccounts.get(topic)?.has(state.address)) return;
    const existing = await this.#options.db.getConversationByPeer(state.address, opened.peer.address);
    const record = {
      account: state.address,
      topic,
      peer: opened.peer.address,
      peerBundle: encodeSignedPublicKeyBundle(opened.peer),
      invitation: envelope.message,
      invitationTimestampNs: envelope.timestampNs,
      createdAt: nsToMs(opened.createdNs),
      lastActivityAt: nsToMs(opened.createdNs),
    };
    if (existing && existing.topic !== topic) {
      // The peer's keys changed (e.g. a new install): a new deterministic topic. The newer
      // invitation wins; the conversation and its history move to the new topic.
      if (existing.invitationTimestampNs > envelope.timestampNs) return;
      await this.#options.db.moveConversation(existing.topic, record);
      this.#open.delete(conversationKey(state.address, existing.topic));
      this.#removeTopic(existing.topic, state.address);
      this.#options.log('A peer uses new keys: the conversation moved to its new topic');
    } else if (!existing) {
      await this.#options.db.upsertConversation(record);
    }
    this.#open.set(
      conversationKey(state.address, topic),
      Promise.resolve({
        account: state.address,
        conversation: Conversation.fromOpenedInvitation(state.me, opened),
      }),
    );
    this.#addTopic(topic, state.address);
    // The invitation is on the relay (we just read it): no need to queue it again.
    this.#invitationsStored.add(conversationKey(state.address, topic));
    this.#updateLiveTopics();
    this.#options.onChange(state.address, [topic]);
    // Messages may have been stored before we knew the topic.
    for (const relay of this.#options.transport.readableRelays()) {
      await this.#catchUp.topic(relay, topic, this.#abort.signal).catch((error: unknown) => {
        if (this.#running) this.#options.log(`Catch-up of a new conversation failed: ${errorName(error)}`);
      });
    }
  }

  async #receiveMessage(account: Address, envelope: Envelope, options: { live: boolean }): Promise<void> {
    // A message id is the hash of its (canonical) bytes: one we hold already (our own, echoed
    // back by the relay, or a repeat) costs a lookup, not a decryption. Live envelopes check
    // the recent ids in memory (no IndexedDB read on the fast path); catch-up pages the store.
    const id = bytesToHex(sha256(envelope.message));
    if (this.#recentIds.has(`${account} ${id}`)) return;
    if (!options.live && (await this.#options.db.hasMessage(account, id))) return;
    const { conversation } = await this.#openStored(account, envelope.contentTopic);
    const received = await conversation.receive(envelope.message, {
      envelopeTimestampNs: envelope.timestampNs,
    });
    const decoded = defaultContentRegistry.decode(received.payload);
    const now = this.#now();
    // The sender's clock decides the order, but never beyond "now" (a future date would pin it on top).
    const sentAt = Math.min(nsToMs(received.createdNs), now + MAX_CLOCK_SKEW_MS);
    if (decoded.content.kind === 'readReceipt') {
      if (!received.fromSelf) await this.#markDelivered(account, conversation.topic, sentAt);
      return;
    }
    const row = {
      account,
      id: received.id,
      topic: conversation.topic,
      sender: received.senderAddress,
      sentAt,
      content: toDisplayContent(decoded),
    };
    const added = await this.#options.db.addIncomingMessage(row);
    this.#remember(account, row.id);
    if (!added) return;
    this.#options.onChange(account, [conversation.topic]);
    if (!received.fromSelf) {
      const fresh = options.live || now - sentAt < NOTIFY_MAX_AGE_MS;
      this.#options.onIncoming(
        account,
        { ...row, direction: 'in', status: 'delivered' },
        { notify: fresh && received.shouldPush !== false },
      );
    }
  }

  /** A read receipt from the peer: our messages sent up to then reached their client. */
  async #markDelivered(account: Address, topic: string, untilMs: number): Promise<void> {
    const changed = await this.#options.db.markDelivered(account, topic, untilMs);
    if (changed > 0) this.#options.onChange(account, [topic]);
  }

  // ── Reading ──────────────────────────────────────────────────────────

  async listConversations(account: Address): Promise<ConversationView[]> {
    return this.#options.db.listConversations(this.#account(account).address);
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
    const { conversation } = await this.#openStored(state.address, topic);
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
    this.#flushInBackground();
  }
}

function publishedMarker(address: Address): string {
  return `published-bundle:${address}`;
}

function invitationItemId(account: Address, conversation: string, inviteTopicName: string): string {
  return `invitation:${account}:${conversation}:${inviteTopicName}`;
}

/** The conversation topic inside an invitation outbox id (see `invitationItemId`). */
function conversationTopicOfItem(id: string): string | null {
  const parts = id.split(':');
  return parts.length === 4 ? (parts[2] ?? null) : null;
}
