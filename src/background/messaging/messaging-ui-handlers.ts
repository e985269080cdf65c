/** The popup's messaging methods, answered from the running messenger. */
import { type Address, getAddress } from 'viem';
import type { UiHandlers } from '../ui-api-contract';
import type { MessageDb } from './message-db';
import type { MessagingSettings, RelayStatus } from './message-views';
import type { Messenger } from './messenger';

export type MessagingUiMethods =
  | 'listConversations'
  | 'getMessages'
  | 'canMessage'
  | 'sendMessage'
  | 'markConversationRead'
  | 'getKeyChanges'
  | 'getRelayStatus'
  | 'getMessagingSettings'
  | 'setMessagingSettings';

export interface MessagingUiContext {
  /** The running messenger and its store, waiting for a start in progress. @throws MessengerStoppedError */
  ready(): Promise<{ messenger: Messenger; db: MessageDb }>;
  /** Resets the notification count of a conversation. */
  forgetNotice(topic: string): void;
  status(): RelayStatus;
  getSettings(): Promise<MessagingSettings>;
  setSettings(settings: Partial<MessagingSettings>): Promise<void>;
  log(message: string): void;
}

/** The user read the conversation: the next message starts a new count. */
async function forgetNotice(
  context: MessagingUiContext,
  db: MessageDb,
  account: Address,
  peer: Address,
): Promise<void> {
  const record = await db.getConversationByPeer(getAddress(account), getAddress(peer));
  if (record) context.forgetNotice(record.topic);
}

export function messagingUiHandlers(context: MessagingUiContext): Pick<UiHandlers, MessagingUiMethods> {
  const messenger = async () => (await context.ready()).messenger;
  return {
    listConversations: async ({ account }) => (await messenger()).listConversations(account),
    getMessages: async ({ account, peer, before, limit }) =>
      (await messenger()).getMessages(account, peer, {
        ...(before === undefined ? {} : { before }),
        ...(limit === undefined ? {} : { limit }),
      }),
    canMessage: async ({ account, address }) => ({
      canMessage: await (await messenger()).canMessage(account, address),
    }),
    sendMessage: async ({ account, to, text }) =>
      (await messenger()).send(account, to, { kind: 'text', text }),
    markConversationRead: async ({ account, peer }) => {
      const running = await context.ready();
      await forgetNotice(context, running.db, account, peer).catch((error: unknown) =>
        context.log(`Notification reset: ${error instanceof Error ? error.name : 'unknown error'}`),
      );
      return { unread: await running.messenger.markRead(account, peer) };
    },
    getKeyChanges: async ({ account, peer }) => (await messenger()).keyChanges(account, peer),
    getRelayStatus: async () => context.status(),
    getMessagingSettings: () => context.getSettings(),
    setMessagingSettings: async (settings) => {
      await context.setSettings(settings);
      return context.getSettings();
    },
  };
}
