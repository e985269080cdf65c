/**
 * The dapp messaging API (`cairn_*` methods): a site holding the `cairn_messaging`
 * permission reads and sends messages as its first permitted account. The shapes are
 * documented beside `MESSAGING_METHODS` (src/provider/dapp-methods.ts); results reuse the
 * messenger's `DisplayContent`, so a site never gets raw envelopes, keys or HTML.
 */
import { type Address, bytesToHex, isAddressEqual } from 'viem';
import { anchorLeaf } from '../../chain/anchor-leaf';
import { CairnError, InvalidParamsError, LockedError, RpcErrorCode } from '../../keyring/errors';
import { ContentError } from '../../protocol/content/content-errors';
import type { MessagingMethod } from '../../provider/dapp-methods';
import type { AnchorDetails, AnchorRecord } from '../anchoring/anchor-db';
import type {
  ConversationView,
  DisplayContent,
  MessageStatus,
  MessageView,
} from '../messaging/message-views';
import type { Messenger } from '../messaging/messenger';
import { MessengerStoppedError } from '../messaging/messenger-errors';
import { parseNoParams } from './dapp-params';
import {
  parseCanMessage,
  parseGetMessageProof,
  parseGetMessages,
  parseSendMessage,
} from './messaging-params';
import type { PermissionsStore } from './permissions-store';
import { TokenBuckets } from './token-bucket';

/** What the dapp API needs of the messenger. */
export type DappMessenger = Pick<Messenger, 'canMessage' | 'send' | 'listConversations' | 'getMessages'>;

/** The running messenger; rejects with MessengerStoppedError (4100) while the wallet is locked. */
export interface MessengerSource {
  readonly messenger: Promise<DappMessenger>;
  /** Anchoring records of the account's messages (src/background/anchoring). */
  anchors?(account: Address, messageIds: string[]): Promise<AnchorRecord[]>;
}

/** `cairn_getMessageProof` once the message is anchored (null before). */
export type DappMessageProof = Omit<AnchorDetails, 'manifestCid' | 'verifiedAt'> & {
  leaf: `0x${string}`;
  /** Whether this wallet checked the proof against the chain (false: only a relay's word so far). */
  verified: boolean;
};

/** A message as a site sees it. */
export interface DappMessage {
  id: string;
  sender: Address;
  content: DisplayContent;
  sentAt: number;
  status: MessageStatus;
}

export interface DappConversation {
  peer: Address;
  topic: string;
  lastMessage: DappMessage | null;
  unread: number;
}

/** `data` of the `message` event `{ type: 'cairn_message', data }`. */
export interface DappIncomingMessage {
  id: string;
  peer: Address;
  sender: Address;
  content: DisplayContent;
  sentAt: number;
  topic: string;
}

export interface RateLimit {
  capacity: number;
  refillPerSecond: number;
}

export interface DappMessagingOptions {
  permissions: PermissionsStore;
  isUnlocked: () => boolean;
  /** The accounts the site may use now (none while locked). */
  permittedAccounts: (origin: string) => Promise<Address[]>;
  source: MessengerSource;
  /** Per origin: reads (default 60, then 20/s) and sends (default 20, then 5/s). */
  rate?: { read?: RateLimit; send?: RateLimit };
  now?: () => number;
}

export class MessagingPermissionError extends CairnError {
  override name = 'MessagingPermissionError';
  constructor() {
    super(
      'This site may not use messaging; ask for it with wallet_requestPermissions [{ cairn_messaging: {} }]',
      { code: RpcErrorCode.unauthorized },
    );
  }
}

export class MessagingRateLimitError extends CairnError {
  override name = 'MessagingRateLimitError';
  constructor() {
    super('Too many messaging requests from this site; slow down', { code: RpcErrorCode.limitExceeded });
  }
}

/** No messenger at all (e.g. a DappRpc built without one): the same answer as a stopped one. */
export const NO_MESSENGER: MessengerSource = {
  get messenger() {
    return Promise.reject(new MessengerStoppedError());
  },
};

export function toDappMessage(message: MessageView): DappMessage {
  const { id, sender, content, sentAt, status } = message;
  return { id, sender, content, sentAt, status };
}

export function toDappConversation(conversation: ConversationView): DappConversation {
  const { peer, topic, lastMessage, unread } = conversation;
  return { peer, topic, lastMessage: lastMessage ? toDappMessage(lastMessage) : null, unread };
}

/** An incoming message (the peer is its sender) as the `message` event's data. */
export function toDappIncoming(message: MessageView): DappIncomingMessage {
  const { id, sender, content, sentAt, topic } = message;
  return { id, peer: sender, sender, content, sentAt, topic };
}

export class DappMessaging {
  readonly #o: DappMessagingOptions;
  readonly #reads: TokenBuckets;
  readonly #sends: TokenBuckets;

  constructor(options: DappMessagingOptions) {
    this.#o = options;
    const now = options.now ?? Date.now;
    this.#reads = new TokenBuckets({ capacity: 60, refillPerSecond: 20, ...options.rate?.read, now });
    this.#sends = new TokenBuckets({ capacity: 20, refillPerSecond: 5, ...options.rate?.send, now });
  }

  async handle(origin: string, method: MessagingMethod, params: unknown): Promise<unknown> {
    const bucket = method === 'cairn_sendMessage' ? this.#sends : this.#reads;
    if (!bucket.tryTake(origin)) throw new MessagingRateLimitError();
    switch (method) {
      case 'cairn_getIdentity':
        parseNoParams(params, method);
        return { address: await this.identity(origin) };
      case 'cairn_canMessage': {
        const address = parseCanMessage(params);
        const me = await this.identity(origin);
        return (await this.#messenger()).canMessage(me, address);
      }
      case 'cairn_sendMessage':
        return this.#send(origin, params);
      case 'cairn_listConversations': {
        parseNoParams(params, method);
        const me = await this.identity(origin);
        return (await (await this.#messenger()).listConversations(me)).map(toDappConversation);
      }
      case 'cairn_getMessages': {
        const { peer, ...page } = parseGetMessages(params);
        const me = await this.identity(origin);
        return (await (await this.#messenger()).getMessages(me, peer, page)).map(toDappMessage);
      }
      case 'cairn_getMessageProof':
        return this.#proof(origin, parseGetMessageProof(params));
    }
  }

  /** The proof of one of the account's messages, or null while it is not anchored. */
  async #proof(origin: string, messageId: string): Promise<DappMessageProof | null> {
    const me = await this.identity(origin);
    await this.#messenger(); // 4100 while messaging is stopped, as the other methods
    const [record] = (await this.#o.source.anchors?.(me, [messageId])) ?? [];
    const anchor = record?.anchor;
    if (!record || !anchor || record.state === 'pending') return null;
    return {
      root: anchor.root,
      leaf: bytesToHex(anchorLeaf(record.messageId, record.contentTopic)),
      proof: anchor.proof,
      batchId: anchor.batchId,
      txHash: anchor.txHash,
      blockNumber: anchor.blockNumber,
      chainId: anchor.chainId,
      contract: anchor.contract,
      verified: record.state === 'verified',
    };
  }

  /**
   * The account `origin` reads and sends as: its first permitted account.
   * @throws MessagingPermissionError (4100) without the permission; LockedError (4100) while locked.
   */
  async identity(origin: string): Promise<Address> {
    const grant = await this.#o.permissions.get(origin);
    if (!grant?.messaging) throw new MessagingPermissionError();
    if (!this.#o.isUnlocked()) throw new LockedError();
    const [first] = await this.#o.permittedAccounts(origin);
    if (!first) throw new MessagingPermissionError();
    return first;
  }

  /** Whether `origin` holds the messaging permission as `account` now (unlocked). Never throws. */
  async actsAs(origin: string, account: Address): Promise<boolean> {
    try {
      return isAddressEqual(await this.identity(origin), account);
    } catch {
      return false;
    }
  }

  async #send(origin: string, params: unknown): Promise<{ id: string; topic: string; sentAt: number }> {
    const { to, content } = parseSendMessage(params);
    const me = await this.identity(origin);
    const messenger = await this.#messenger();
    try {
      const { id, topic, sentAt } = await messenger.send(me, to, content);
      return { id, topic, sentAt };
    } catch (error) {
      // The schemas should have refused it already; never report a content error as internal.
      if (error instanceof ContentError)
        throw new InvalidParamsError(`Invalid params for cairn_sendMessage: ${error.shortMessage}`);
      throw error;
    }
  }

  #messenger(): Promise<DappMessenger> {
    return this.#o.source.messenger;
  }
}
