/** The messenger's first screen: the account's conversations, newest activity first. */
import type { Address } from 'viem';
import type { AccountInfo } from '../../keyring/keyring';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { AccountPicker } from './AccountPicker';
import { ConversationRow } from './ConversationRow';
import { useConversations } from './use-conversations';

export function ConversationList({
  client,
  accounts,
  account,
  onAccount,
  onOpen,
  onNew,
}: {
  client: Pick<UiClient, 'call' | 'onMessages'>;
  accounts: readonly AccountInfo[];
  account: Address;
  onAccount: (account: Address) => void;
  onOpen: (peer: Address) => void;
  onNew: () => void;
}) {
  const { conversations, error } = useConversations(client, account);
  const now = Date.now();
  return (
    <main class="screen messenger">
      <header class="bar">
        <h1>Messages</h1>
        <AccountPicker accounts={accounts} account={account} onAccount={onAccount} />
      </header>
      <button type="button" class="primary" onClick={onNew}>
        New conversation
      </button>
      {conversations === null ? (
        error ? null : (
          <p class="hint">Loading…</p>
        )
      ) : conversations.length === 0 ? (
        <p class="hint">No conversations yet. Start one with an Ethereum address.</p>
      ) : (
        <ul class="conversations" aria-label="Conversations">
          {conversations.map((conversation) => (
            <ConversationRow key={conversation.topic} conversation={conversation} now={now} onOpen={onOpen} />
          ))}
        </ul>
      )}
      <ErrorNote message={error} />
    </main>
  );
}
