/**
 * The messenger of the unlocked wallet: publishes each account's contact bundle, opens
 * invitations, sends through an outbox that survives worker restarts, and receives
 * (verify → decrypt → dedupe → persist) from live gossip and relay stores.
 *
 * Delivery is correct whatever the worker does: every outgoing envelope is in IndexedDB
 * before it leaves, and every topic is caught up from the relay's store (since a
 * relay-ordered cursor) on start, on reconnect and on each wake-up alarm.
 */
import { type Address, getAddress, isAddressEqual } from 'viem';
import { type Content, defaultContentRegistry } from '../../protocol/content/index';
import {
  Conversation,
  contactTopic,
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
import { toDisplayContent } from './display-content';
import type { MessageDb } from './message-db';
import type { ConversationView, MessageView } from './message-views';
import { EnvelopeRejectedError, type MessagingTransport } from './messaging-transport';
import { MessengerStoppedError, NoMessagingIdentityError } from './messenger-errors';
import { retryDelayMs } from './retry-backoff';

export interface MessengerOptions {
  db: MessageDb;
  identities: { ensure(address: Address): Promise<PrivateKeyBundle> };
  transport: MessagingTransport;
  /** Something changed in these conversations of `account`. */
  onChange(account: Address, topics: string[]): void;
  /** A new message from a peer arrived (for notifications and the badge). */
  onIncoming(account: Address, message: MessageView): void;
  /** Wake the worker at this time to retry the outbox (null: nothing pending). */
  scheduleRetry(atMs: number | null): void;
  log(message: string): void;
  now?: () => number;
}

/** How long to wait for a relay before counting an attempt as failed. */
const PUBLISH_TIMEOUT_MS = 10_000;
const FETCH_TIMEOUT_MS = 15_000;
/** Bundles older than this are fetched again before starting a new conversation. */
const BUNDLE_CACHE_MS = 24 * 60 * 60_000;
const OUTBOX_BATCH = 50;

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

export class Messenger {
  readonly #options: MessengerOptions;
  readonly #now: () => number;
  readonly #accounts = new Map<Address, AccountState>();
  /** Invite topic → account. */
  readonly #inviteTopics = new Map<string, Address>();
  /** Conversation topic → account, for every stored conversation (opened lazily). */
  readonly #topicAccounts = new Map<string, Address>();
  readonly #open = new Map<string, Promise<OpenConversation>>();
  #running = false;
  #flushing: Promise<void> | null = null;
  #flushAgain = false;
  #ignoreBackoff = false;
  readonly #tried = new Set<string>();
  #abort = new AbortController();

  constructor(options: MessengerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
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
      void this.#receive(envelope).catch((error: unknown) =>
        this.#options.log(`Dropped a live envelope: ${errorName(error)}`),
      );
    });
    for (const address of accounts.map((account) => getAddress(account))) {
      const me = await this.#options.identities.ensure(address);
      this.#accounts.set(address, { address, me });
      this.#inviteTopics.set(inviteTopic(address), address);
      for (const conversation of await this.#options.db.listConversations(address)) {
        this.#topicAccounts.set(conversation.topic, address);
      }
      await this.#publishContactBundle(address, me);
    }
    this.#updateLiveTopics();
    void this.flushOutbox({ ignoreBackoff: true });
    void this.catchUp().catch((error: unknown) => this.#options.log(`Catch-up failed: ${errorName(error)}`));
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    this.#options.transport.setLiveTopics([]);
    this.#accounts.clear();
    this.#inviteTopics.clear();
    this.#topicAccounts.clear();
    this.#open.clear();
    await this.#flushing?.catch(() => undefined);
  }

  #account(address: Address): AccountState {
    const state = this.#accounts.get(getAddress(address));
    if (!this.#running || !state) throw new MessengerStoppedError();
    return state;
  }

  #updateLiveTopics(): void {
    this.#options.transport.setLiveTopics([...this.#inviteTopics.keys(), ...this.#topicAccounts.keys()]);
  }

  async #publishContactBundle(address: Address, me: PrivateKeyBundle): Promise<void> {
    const bundle = encodeContactBundle(publicBundleOf(me));
    const marker = `published-bundle:${address}`;
    const published = await this.#options.db.getCursor(marker);
    const digest = encodeSignedPublicKeyBundle(publicBundleOf(me));
    if (published && equalBytes(published, digest)) return;
    const envelope = encodeEnvelope({
      contentTopic: contactTopic(address),
      timestampNs: BigInt(this.#now()) * 1_000_000n,
      message: bundle,
    });
    await this.#options.db.enqueue({
      id: `contact:${address}:${this.#now()}`,
      account: address,
      kind: 'contact',
      topic: contactTopic(address),
      envelope,
    });
    await this.#options.db.setCursor(marker, digest);
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
    void this.flushOutbox();
    return view;
  }

  /** The conversation with `peer`, starting it (and queueing both invitations) when new. */
  async #conversationWith(state: AccountState, peer: Address): Promise<OpenConversation> {
    const stored = await this.#options.db.getConversationByPeer(state.address, peer);
    if (stored) return this.#openStored(state.address, stored.topic);
    const bundle = await this.resolveBundle(peer);
    if (!bundle) throw new NoMessagingIdentityError(peer);
    const createdNs = BigInt(this.#now()) * 1_000_000n;
    const { conversation, sealed } = await Conversation.start({
      me: state.me,
      myAddress: state.address,
      peer: bundle,
      createdNs,
    });
    const record = {
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
    };
    await this.#options.db.upsertConversation(record);
    // Both parties' invite topics: the peer learns the conversation, our other devices too.
    const targets = isAddressEqual(bundle.address, state.address)
      ? [inviteTopic(state.address)]
      : [inviteTopic(bundle.address), inviteTopic(state.address)];
    for (const topic of targets) {
      const envelope = encodeEnvelope({ contentTopic: topic, timestampNs: createdNs, message: sealed });
      await this.#options.db.enqueue({
        id: `invitation:${conversation.topic}:${topic}`,
        account: state.address,
        kind: 'invitation',
        topic,
        envelope,
      });
    }
    const open = { account: state.address, conversation };
    this.#open.set(conversation.topic, Promise.resolve(open));
    this.#topicAccounts.set(conversation.topic, state.address);
    this.#updateLiveTopics();
    return open;
  }

  /** Re-opens a stored conversation from its sealed invitation (no key material is stored). */
  #openStored(account: Address, topic: string): Promise<OpenConversation> {
    let opening = this.#open.get(topic);
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
      opening.catch(() => this.#open.delete(topic));
      this.#open.set(topic, opening);
    }
    return opening;
  }

  /**
   * Publishes what is due in the outbox; one run at a time, re-run if asked meanwhile.
   * `ignoreBackoff` (on start and on a relay reconnect) retries everything at once.
   */
  flushOutbox(options: { ignoreBackoff?: boolean } = {}): Promise<void> {
    if (options.ignoreBackoff) this.#ignoreBackoff = true;
    if (this.#flushing) {
      this.#flushAgain = true;
      return this.#flushing;
    }
    this.#flushing = (async () => {
      do {
        this.#flushAgain = false;
        const ignoreBackoff = this.#ignoreBackoff;
        this.#ignoreBackoff = false;
        await this.#flushOnce(ignoreBackoff);
      } while (this.#flushAgain && this.#running);
    })().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #flushOnce(ignoreBackoff: boolean): Promise<void> {
    const { db, transport } = this.#options;
    // Items tried in this run are not tried again in it, whatever their new retry time.
    const startedAt = this.#now();
    while (this.#running) {
      const due = (
        await db.dueOutbox(ignoreBackoff ? Number.MAX_SAFE_INTEGER : startedAt, OUTBOX_BATCH)
      ).filter((item) => !this.#tried.has(item.id));
      if (due.length === 0) break;
      let failed = false;
      for (const item of due) {
        if (!this.#running) return;
        this.#tried.add(item.id);
        try {
          const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(PUBLISH_TIMEOUT_MS)]);
          await transport.publish(item.envelope, signal);
          await db.completeOutbox(item.id);
          if (item.messageId) this.#options.onChange(item.account, [item.topic]);
        } catch (error) {
          if (!this.#running) return;
          if (error instanceof EnvelopeRejectedError) {
            await db.failOutbox(item.id, error.message);
            if (item.messageId) this.#options.onChange(item.account, [item.topic]);
            this.#options.log(`A relay refused an outgoing ${item.kind}: ${error.message}`);
          } else {
            await db.rescheduleOutbox(item.id, this.#now() + retryDelayMs(item.attempts), errorName(error));
            failed = true;
          }
        }
      }
      // Everything left is waiting for its retry time (relay down): the alarm takes over.
      if (failed) break;
    }
    this.#tried.clear();
    if (this.#running) this.#options.scheduleRetry(await db.nextOutboxTime());
  }

  // ── Receiving ────────────────────────────────────────────────────────

  /** Fetches every known topic from the relay store since its cursor; invite topics first. */
  async catchUp(): Promise<void> {
    if (!this.#running) return;
    const signal = this.#abort.signal;
    for (const topic of [...this.#inviteTopics.keys()]) await this.#catchUpTopic(topic, signal);
    for (const topic of [...this.#topicAccounts.keys()]) await this.#catchUpTopic(topic, signal);
  }

  async #catchUpTopic(topic: string, signal: AbortSignal): Promise<void> {
    const { db, transport } = this.#options;
    const key = `${transport.cursorScope} ${topic}`;
    const cursor = await db.getCursor(key);
    for await (const page of transport.fetchSince(topic, cursor, signal)) {
      for (const envelope of page.envelopes) {
        await this.#receive(envelope).catch((error: unknown) =>
          this.#options.log(`Dropped a stored envelope: ${errorName(error)}`),
        );
      }
      // Only after the page is persisted: a crash re-reads it, and dedupe makes that harmless.
      if (page.cursor) await db.setCursor(key, page.cursor);
    }
  }

  async #receive(envelope: Envelope): Promise<void> {
    if (!this.#running) return;
    const inviteAccount = this.#inviteTopics.get(envelope.contentTopic);
    if (inviteAccount) return this.#receiveInvitation(inviteAccount, envelope);
    const account = this.#topicAccounts.get(envelope.contentTopic);
    if (account && isConversationTopic(envelope.contentTopic)) return this.#receiveMessage(account, envelope);
  }

  async #receiveInvitation(account: Address, envelope: Envelope): Promise<void> {
    const state = this.#account(account);
    const opened = await openSealedInvitation({
      me: state.me,
      sealed: envelope.message,
      envelopeTimestampNs: envelope.timestampNs,
    });
    const topic = opened.invitation.topic;
    if (this.#topicAccounts.has(topic)) return;
    const existing = await this.#options.db.getConversationByPeer(state.address, opened.peer.address);
    if (existing && existing.topic !== topic) {
      // One conversation per peer in this version: keep the first, note the other.
      this.#options.log('Ignored a second invitation from a peer that already has a conversation');
      return;
    }
    await this.#options.db.upsertConversation({
      account: state.address,
      topic,
      peer: opened.peer.address,
      peerBundle: encodeSignedPublicKeyBundle(opened.peer),
      invitation: envelope.message,
      invitationTimestampNs: envelope.timestampNs,
      createdAt: nsToMs(opened.createdNs),
      lastActivityAt: nsToMs(opened.createdNs),
      unread: 0,
      lastMessageId: null,
    });
    this.#open.set(
      topic,
      Promise.resolve({
        account: state.address,
        conversation: Conversation.fromOpenedInvitation(state.me, opened),
      }),
    );
    this.#topicAccounts.set(topic, state.address);
    this.#updateLiveTopics();
    this.#options.onChange(state.address, [topic]);
    // Messages may have been stored before we knew the topic.
    await this.#catchUpTopic(topic, this.#abort.signal);
  }

  async #receiveMessage(account: Address, envelope: Envelope): Promise<void> {
    const { conversation } = await this.#openStored(account, envelope.contentTopic);
    const received = await conversation.receive(envelope.message, {
      envelopeTimestampNs: envelope.timestampNs,
    });
    const decoded = defaultContentRegistry.decode(received.payload);
    if (decoded.content.kind === 'readReceipt') {
      if (!received.fromSelf)
        await this.#markDelivered(account, conversation.topic, nsToMs(received.createdNs));
      return;
    }
    const row = {
      account,
      id: received.id,
      topic: conversation.topic,
      sender: received.senderAddress,
      sentAt: nsToMs(received.createdNs),
      content: toDisplayContent(decoded),
    };
    const added = await this.#options.db.addIncomingMessage(row);
    if (!added) return;
    this.#options.onChange(account, [conversation.topic]);
    if (!received.fromSelf) {
      this.#options.onIncoming(account, { ...row, direction: 'in', status: 'delivered' });
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
    void this.flushOutbox();
  }
}
