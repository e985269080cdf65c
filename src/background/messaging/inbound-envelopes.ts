/**
 * The messenger's receive path: routes an envelope (live or read from a relay store) to the
 * accounts it is for, then verify → decrypt → dedupe → persist.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Address } from 'viem';
import { defaultContentRegistry } from '../../protocol/content/index';
import {
  bytesToHex,
  deriveInvitation,
  type Envelope,
  encodeSignedPublicKeyBundle,
  equalBytes,
  isConversationTopic,
  openSealedInvitation,
  type VerifiedBundle,
} from '../../protocol/index';
import type { CatchUp } from './catch-up';
import type { ConversationAccount, ConversationOpener } from './conversation-opener';
import { nsToMs } from './conversation-opener';
import { toDisplayContent } from './display-content';
import type { MessageDb } from './message-db';
import type { MessageView } from './message-views';
import type { MessagingTransport } from './messaging-transport';
import { MessengerStoppedError } from './messenger-errors';

/** A sender's clock may run ahead this much; later timestamps are shown as "now". */
const MAX_CLOCK_SKEW_MS = 2 * 60_000;
/** Messages older than this found while catching up do not raise a notification. */
const NOTIFY_MAX_AGE_MS = 5 * 60_000;
/** Message ids kept in memory to drop echoes and repeats of live envelopes without a read. */
const RECENT_IDS = 2048;

/** The topics the messenger listens to. */
export interface InboundTopics {
  /** The account whose invite topic `topic` is. */
  inviteAccount(topic: string): Address | undefined;
  /** The accounts having the conversation `topic`. */
  accounts(topic: string): ReadonlySet<Address> | undefined;
  add(topic: string, account: Address): void;
  remove(topic: string, account: Address): void;
  /** Listens live to the current topics. */
  updateLive(): void;
}

export interface InboundEnvelopesOptions {
  db: Pick<
    MessageDb,
    | 'hasMessage'
    | 'addIncomingMessage'
    | 'markDelivered'
    | 'getConversationByPeer'
    | 'moveConversation'
    | 'upsertConversation'
  >;
  transport: Pick<MessagingTransport, 'readableRelays'>;
  conversations: Pick<ConversationOpener, 'openStored' | 'opened' | 'forget'>;
  topics: InboundTopics;
  catchUp: Pick<CatchUp, 'topic'>;
  /** Whether the messenger still runs. */
  running(): boolean;
  /** The messenger's current stop signal. */
  signal(): AbortSignal;
  /** The running account. @throws MessengerStoppedError */
  account(address: Address): ConversationAccount;
  /** `added`: the change is only these newly stored messages. */
  onChange(account: Address, topics: string[], added?: MessageView[]): void;
  onIncoming(account: Address, message: MessageView, options: { notify: boolean }): void;
  onStored(account: Address, messageId: string, topic: string): void;
  /** A newer invitation from `peer` replaces a conversation that kept `storedBundle` (key change?). */
  peerInvited?(peer: Address, storedBundle: Uint8Array, next: VerifiedBundle): Promise<void>;
  log(message: string): void;
  now(): number;
}

export class InboundEnvelopes {
  readonly #options: InboundEnvelopesOptions;
  /** `account id` of messages recently sent or stored, oldest first (bounded). */
  readonly #recentIds = new Set<string>();

  constructor(options: InboundEnvelopesOptions) {
    this.#options = options;
  }

  /** Notes a message id the account holds (sent or stored) to drop its echoes cheaply. */
  remember(account: Address, id: string): void {
    const key = `${account} ${id}`;
    this.#recentIds.delete(key);
    this.#recentIds.add(key);
    if (this.#recentIds.size > RECENT_IDS) {
      const oldest = this.#recentIds.values().next().value;
      if (oldest !== undefined) this.#recentIds.delete(oldest);
    }
  }

  /** Forgets the recent ids (on stop). */
  clear(): void {
    this.#recentIds.clear();
  }

  /** Routes an envelope to the accounts it is for. @throws on storage errors and bad input */
  async receive(envelope: Envelope, options: { live: boolean }): Promise<void> {
    if (!this.#options.running()) throw new MessengerStoppedError();
    const topics = this.#options.topics;
    const inviteAccount = topics.inviteAccount(envelope.contentTopic);
    if (inviteAccount) return this.#receiveInvitation(inviteAccount, envelope);
    const accounts = topics.accounts(envelope.contentTopic);
    if (!accounts || !isConversationTopic(envelope.contentTopic)) return;
    for (const account of [...accounts]) await this.#receiveMessage(account, envelope, options);
  }

  async #receiveInvitation(account: Address, envelope: Envelope): Promise<void> {
    const { db, topics } = this.#options;
    const state = this.#options.account(account);
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
    if (topics.accounts(topic)?.has(state.address)) return;
    const existing = await db.getConversationByPeer(state.address, opened.peer.address);
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
      await this.#options.peerInvited?.(opened.peer.address, existing.peerBundle, opened.peer);
      await db.moveConversation(existing.topic, record);
      this.#options.conversations.forget(state.address, existing.topic);
      topics.remove(existing.topic, state.address);
      this.#options.log('A peer uses new keys: the conversation moved to its new topic');
    } else if (!existing) {
      await db.upsertConversation(record);
    }
    // The invitation is on the relay (we just read it): no need to queue it again.
    this.#options.conversations.opened(state, topic, opened);
    topics.add(topic, state.address);
    topics.updateLive();
    this.#options.onChange(state.address, [topic]);
    // Messages may have been stored before we knew the topic.
    for (const relay of this.#options.transport.readableRelays()) {
      await this.#options.catchUp.topic(relay, topic, this.#options.signal()).catch((error: unknown) => {
        if (this.#options.running()) {
          const name = error instanceof Error ? error.name : 'unknown error';
          this.#options.log(`Catch-up of a new conversation failed: ${name}`);
        }
      });
    }
  }

  async #receiveMessage(account: Address, envelope: Envelope, options: { live: boolean }): Promise<void> {
    const db = this.#options.db;
    // A message id is the hash of its (canonical) bytes: one we hold already (our own, echoed
    // back by the relay, or a repeat) costs a lookup, not a decryption. Live envelopes check
    // the recent ids in memory (no IndexedDB read on the fast path); catch-up pages the store.
    const id = bytesToHex(sha256(envelope.message));
    if (this.#recentIds.has(`${account} ${id}`)) return;
    if (!options.live && (await db.hasMessage(account, id))) return;
    const { conversation } = await this.#options.conversations.openStored(account, envelope.contentTopic);
    const received = await conversation.receive(envelope.message, {
      envelopeTimestampNs: envelope.timestampNs,
    });
    const decoded = defaultContentRegistry.decode(received.payload);
    const now = this.#options.now();
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
    const added = await db.addIncomingMessage(row);
    this.remember(account, row.id);
    if (!added) return;
    const { account: _account, ...shown } = row;
    const view: MessageView = received.fromSelf
      ? { ...shown, direction: 'out', status: 'sent' }
      : { ...shown, direction: 'in', status: 'delivered' };
    this.#options.onChange(account, [conversation.topic], [view]);
    this.#options.onStored(account, row.id, conversation.topic);
    if (!received.fromSelf) {
      const fresh = options.live || now - sentAt < NOTIFY_MAX_AGE_MS;
      this.#options.onIncoming(account, view, { notify: fresh && received.shouldPush !== false });
    }
  }

  /** A read receipt from the peer: our messages sent up to then reached their client. */
  async #markDelivered(account: Address, topic: string, untilMs: number): Promise<void> {
    const changed = await this.#options.db.markDelivered(account, topic, untilMs);
    if (changed > 0) this.#options.onChange(account, [topic]);
  }
}
