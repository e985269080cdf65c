/**
 * What the messenger shows: conversations and messages as the UI and dapps see
 * them. Plain JSON (they cross runtime ports), no keys, no raw envelopes.
 */
import type { Address } from 'viem';

/**
 * Outgoing: `queued` (in the outbox, not yet stored by a relay), `sent` (a relay
 * acknowledged storing it), `delivered` (the peer's client confirmed receipt),
 * `failed` (refused for good, e.g. too large). Incoming messages are `delivered`.
 */
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'failed';

/** Decoded content, reduced to what a screen can render safely (text only, no HTML). */
export type DisplayContent =
  | { kind: 'text'; text: string }
  | { kind: 'reply'; text: string; reference: string }
  | { kind: 'reaction'; emoji: string; reference: string; action: 'added' | 'removed' }
  | { kind: 'attachment'; filename: string; mimeType: string; size: number; url: string }
  /** A type Cairn does not render: its fallback text when the sender gave one. */
  | { kind: 'unsupported'; contentType: string; fallback: string | null };

export interface MessageView {
  /** hex(sha256(message bytes)), as XMTP. */
  id: string;
  /** The conversation's content topic. */
  topic: string;
  sender: Address;
  direction: 'in' | 'out';
  content: DisplayContent;
  /** The sender's timestamp, ms since the epoch. */
  sentAt: number;
  status: MessageStatus;
}

export interface ConversationView {
  topic: string;
  /** The Cairn account this conversation belongs to. */
  account: Address;
  peer: Address;
  createdAt: number;
  lastMessage: MessageView | null;
  unread: number;
}

/** A peer moved to a new messaging (identity) key: the chat shows it. */
export interface KeyChangeView {
  peer: Address;
  /** 16 hex digits of sha256 of the new key, to compare with the peer out of band. */
  fingerprint: string;
  /** When the peer created the new key (its own signed claim), ms; null when unknown. */
  keyCreatedAt: number | null;
  /** When this wallet noticed, ms. */
  seenAt: number;
  /** Where the new key showed up: a relay's directory, the KeyRegistry on chain, a new invitation. */
  source: 'relay' | 'chain' | 'invitation';
}

export type RelayConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface RelayStatus {
  /** `stopped` while locked. */
  node: 'stopped' | 'starting' | 'running';
  relays: { address: string; state: RelayConnectionState }[];
}

export interface MessagingSettings {
  notifications: boolean;
  /** Minutes a message waits for a relay to anchor it before the user is offered to anchor it. */
  anchorDeadlineMinutes: number;
}
