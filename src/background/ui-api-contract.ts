/**
 * The privileged API between extension pages (popup, approval windows) and the
 * background. Types only: the UI imports this file for its client, the background
 * pairs each method with a runtime schema in `ui-api-schemas.ts`.
 */
import type { Address } from 'viem';
import type { CustomNetwork, Network } from '../chain/networks';
import type { AccountInfo, KeyringStatus } from '../keyring/keyring';
import type { AnchorRecord } from './anchoring/anchor-db';
import type { PendingApproval } from './dapp/approval-types';
import type { SiteGrant } from './dapp/permissions-store';
import type { KeyOnChain, PublishKeyResult } from './messaging/key-registry-service';
import type {
  ConversationView,
  KeyChangeView,
  MessageView,
  MessagingSettings,
  RelayStatus,
} from './messaging/message-views';

export const UI_PORT_NAME = 'cairn-ui';

/** Longest anchoring deadline a user can set (Settings › Messaging): a week, in minutes. */
export const MAX_ANCHOR_DEADLINE_MINUTES = 7 * 24 * 60;

export interface WalletState {
  status: KeyringStatus;
  /** Empty unless unlocked. */
  accounts: AccountInfo[];
  autoLockMinutes: number;
}

export interface NetworksState {
  networks: Network[];
  selectedChainId: number;
}

export interface UiApi {
  getState: { params: undefined; result: WalletState };
  generateMnemonic: { params: { words: 12 | 24 }; result: { mnemonic: string } };
  createFromMnemonic: { params: { password: string; mnemonic: string }; result: WalletState };
  createFromPrivateKey: { params: { password: string; privateKey: string }; result: WalletState };
  unlock: { params: { password: string }; result: WalletState };
  lock: { params: undefined; result: WalletState };
  addAccount: { params: { name?: string }; result: WalletState };
  renameAccount: { params: { address: Address; name: string }; result: WalletState };
  setAutoLockMinutes: { params: { minutes: number }; result: WalletState };
  /** Null once the request was decided, cancelled or never existed. */
  getApproval: { params: { id: string }; result: PendingApproval | null };
  resolveApproval: {
    params: { id: string; approved: boolean; accounts?: Address[] };
    result: { decided: boolean };
  };
  listConnectedSites: { params: undefined; result: SiteGrant[] };
  revokeSite: { params: { origin: string }; result: SiteGrant[] };
  getNetworks: { params: undefined; result: NetworksState };
  selectNetwork: { params: { chainId: number }; result: NetworksState };
  addNetwork: { params: CustomNetwork; result: NetworksState };
  removeNetwork: { params: { chainId: number }; result: NetworksState };
  /** Newest activity first. */
  listConversations: { params: { account: Address }; result: ConversationView[] };
  /** Oldest first; `before` (ms, exclusive) pages back in time, `limit` <= 200 (default 50). */
  getMessages: {
    params: { account: Address; peer: Address; before?: number; limit?: number };
    result: MessageView[];
  };
  /** Whether `address` has a published identity (a relay or the local cache knows its bundle). */
  canMessage: { params: { account: Address; address: Address }; result: { canMessage: boolean } };
  /** Queues the message (status `queued`) and returns at once; delivery continues in the background. */
  sendMessage: { params: { account: Address; to: Address; text: string }; result: MessageView };
  /** Marks every message of the conversation read (unread 0, badge updated). */
  markConversationRead: { params: { account: Address; peer: Address }; result: { unread: number } };
  /** Where these messages stand in anchoring; messages not followed are left out. */
  getMessageAnchors: { params: { account: Address; ids: string[] }; result: AnchorRecord[] };
  /** Rebuilds the account's inbox from chain + IPFS; block numbers as decimal strings. */
  rebuildInbox: {
    params: { account: Address };
    result: {
      batches: number;
      found: number;
      restored: number;
      skipped: number;
      scannedTo: string;
      head: string;
    };
  };
  /**
   * Checks one message's proof against the chain now; its record after the check (null: not
   * followed) and what the check took in the worker (the chain read within it), ms.
   */
  verifyMessageAnchor: {
    params: { account: Address; id: string };
    result: { record: AnchorRecord | null; timing: { totalMs: number; chainMs: number } | null };
  };
  /** The account's messages no relay anchored within the deadline (the user may anchor them). */
  getOverdueAnchors: { params: { account: Address }; result: { count: number; deadlineMinutes: number } };
  /**
   * Forced inclusion: anchors the account's overdue messages with its own transaction, after the
   * user confirms it in an approval window. `confirming`: sent, its proofs follow shortly.
   */
  anchorOverdueMessages: {
    params: { account: Address };
    result: {
      count: number;
      root: `0x${string}`;
      txHash: `0x${string}` | null;
      status: 'anchored' | 'confirming';
      pinnedBy: number;
    };
  };
  /** The rebuild under way: blocks scanned so far of the chain's head (null when none runs). */
  getRebuildProgress: {
    params: undefined;
    result: { scannedTo: string; head: string; restored: number } | null;
  };
  /** Where the account's messaging key stands in the KeyRegistry of the anchoring network. */
  getKeyOnChain: { params: { account: Address }; result: KeyOnChain };
  /**
   * Pins the account's contact bundle at the relays and publishes its CID in the KeyRegistry from
   * the account, after the user confirms the transaction in an approval window.
   */
  publishKeyOnChain: { params: { account: Address }; result: PublishKeyResult };
  /** The identity-key changes of `peer` this wallet noticed, first noticed first (the chat shows them). */
  getKeyChanges: { params: { account: Address; peer: Address }; result: KeyChangeView[] };
  getRelayStatus: { params: undefined; result: RelayStatus };
  getMessagingSettings: { params: undefined; result: MessagingSettings };
  /** Changes the settings given, keeps the others. */
  setMessagingSettings: { params: Partial<MessagingSettings>; result: MessagingSettings };
}

export type UiMethod = keyof UiApi;
export type UiParams<M extends UiMethod> = UiApi[M]['params'];
export type UiResult<M extends UiMethod> = UiApi[M]['result'];
export type UiHandlers = { [M in UiMethod]: (params: UiParams<M>) => Promise<UiResult<M>> };

/** Wire messages on the UI port. Errors carry only `{ code, message }`. */
export type UiRequestMessage = { type: 'request'; id: number; method: string; params?: unknown };
export type UiResponseMessage =
  | { type: 'response'; id: number; result: unknown }
  | { type: 'response'; id: number; error: { code: number; message: string } };
/** The `anchors` event. */
export interface AnchorsChange {
  account: Address;
  topics: string[];
}

/** The `messages` event. */
export interface MessagesChange {
  account: Address;
  topics: string[];
  /** The new messages, when storing them is the whole change. */
  added?: MessageView[];
}

export type UiEventMessage =
  | { type: 'event'; event: 'state'; data: WalletState }
  /**
   * Something changed in these conversations (new message, status, unread): re-read them. When
   * the change is only stored new messages, `added` holds them, so a view can show them at once.
   */
  | { type: 'event'; event: 'messages'; data: MessagesChange }
  | { type: 'event'; event: 'relay'; data: RelayStatus }
  /** These conversations' messages changed anchoring state: re-read their anchoring only. */
  | { type: 'event'; event: 'anchors'; data: AnchorsChange };
