/**
 * The messenger's conversations in memory: re-opens a stored one from its sealed invitation
 * (once, lazily), starts a new one with a peer, and queues its invitations again until a
 * relay acknowledged them in this session.
 */
import { type Address, isAddressEqual } from 'viem';
import {
  Conversation,
  encodeEnvelope,
  encodeSignedPublicKeyBundle,
  inviteTopic,
  type OpenedInvitation,
  openSealedInvitation,
  type PrivateKeyBundle,
  type VerifiedBundle,
} from '../../protocol/index';
import type { MessageDb } from './message-db';
import { MessengerStoppedError, NoMessagingIdentityError } from './messenger-errors';

export interface ConversationAccount {
  address: Address;
  me: PrivateKeyBundle;
}

export interface OpenConversation {
  account: Address;
  conversation: Conversation;
}

export interface ConversationOpenerOptions {
  db: Pick<MessageDb, 'getConversation' | 'getConversationByPeer' | 'upsertConversation' | 'enqueue'>;
  /** The running account. @throws MessengerStoppedError */
  account(address: Address): ConversationAccount;
  /** The peer's verified contact bundle, or null when it has none. */
  resolveBundle(peer: Address): Promise<VerifiedBundle | null>;
  /** `account` started a conversation on `topic`: listen to it. */
  started(account: Address, topic: string): void;
  now(): number;
}

export function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

const conversationKey = (account: Address, topic: string) => `${account} ${topic}`;

export class ConversationOpener {
  readonly #options: ConversationOpenerOptions;
  /** `account topic` → the opened conversation (opened lazily). */
  readonly #open = new Map<string, Promise<OpenConversation>>();
  /** Conversations whose invitations a relay acknowledged in this session. */
  readonly #invitationsStored = new Set<string>();

  constructor(options: ConversationOpenerOptions) {
    this.#options = options;
  }

  /** Forgets every opened conversation (on stop). */
  clear(): void {
    this.#open.clear();
    this.#invitationsStored.clear();
  }

  /** The conversation with `peer`, starting it (and queueing both invitations) when new. */
  async with(state: ConversationAccount, peer: Address): Promise<OpenConversation> {
    const db = this.#options.db;
    const stored = await db.getConversationByPeer(state.address, peer);
    if (stored) {
      const open = await this.openStored(state.address, stored.topic);
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
    const bundle = await this.#options.resolveBundle(peer);
    if (!bundle) throw new NoMessagingIdentityError(peer);
    const createdNs = BigInt(this.#options.now()) * 1_000_000n;
    const { conversation, sealed } = await Conversation.start({
      me: state.me,
      myAddress: state.address,
      peer: bundle,
      createdNs,
    });
    await db.upsertConversation({
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
    this.#options.started(state.address, conversation.topic);
    return open;
  }

  /** Both parties' invite topics: the peer learns the conversation, our other devices too. */
  async #queueInvitations(
    state: ConversationAccount,
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
  openStored(account: Address, topic: string): Promise<OpenConversation> {
    const key = conversationKey(account, topic);
    let opening = this.#open.get(key);
    if (!opening) {
      opening = (async () => {
        const state = this.#options.account(account);
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

  /** Keeps a conversation opened from an invitation read from a relay (so no need to queue it again). */
  opened(state: ConversationAccount, topic: string, invitation: OpenedInvitation): void {
    this.#open.set(
      conversationKey(state.address, topic),
      Promise.resolve({
        account: state.address,
        conversation: Conversation.fromOpenedInvitation(state.me, invitation),
      }),
    );
    this.#invitationsStored.add(conversationKey(state.address, topic));
  }

  /** Drops the opened conversation on `topic` (it moved to another topic). */
  forget(account: Address, topic: string): void {
    this.#open.delete(conversationKey(account, topic));
  }

  /** Bookkeeping after a relay acknowledged an invitation outbox item. */
  invitationPublished(account: Address, itemId: string): void {
    const topic = conversationTopicOfItem(itemId);
    if (topic) this.#invitationsStored.add(conversationKey(account, topic));
  }
}

function invitationItemId(account: Address, conversation: string, inviteTopicName: string): string {
  return `invitation:${account}:${conversation}:${inviteTopicName}`;
}

/** The conversation topic inside an invitation outbox id (see `invitationItemId`). */
function conversationTopicOfItem(id: string): string | null {
  const parts = id.split(':');
  return parts.length === 4 ? (parts[2] ?? null) : null;
}
