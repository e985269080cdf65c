/** The popup's "Messages" tab: the conversation list, a new conversation, or one chat, for one account. */
import { useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { AccountInfo } from '../../keyring/keyring';
import type { UiClient } from '../background-client';
import { Chat } from './Chat';
import { ConversationList } from './ConversationList';
import { NewConversation } from './NewConversation';

type View = { name: 'list' } | { name: 'new' } | { name: 'chat'; peer: Address };

export function Messenger({
  client,
  accounts,
  account,
  onAccount,
}: {
  client: Pick<UiClient, 'call' | 'onMessages' | 'onAnchors'>;
  accounts: readonly AccountInfo[];
  account: Address;
  onAccount: (account: Address) => void;
}) {
  const [view, setView] = useState<View>({ name: 'list' });
  const toList = () => setView({ name: 'list' });
  const open = (peer: Address) => setView({ name: 'chat', peer });

  if (view.name === 'new') {
    return <NewConversation client={client} account={account} onOpen={open} onBack={toList} />;
  }
  if (view.name === 'chat') {
    return (
      <Chat
        key={`${account}:${view.peer}`}
        client={client}
        account={account}
        peer={view.peer}
        onBack={toList}
      />
    );
  }
  return (
    <ConversationList
      client={client}
      accounts={accounts}
      account={account}
      onAccount={(next) => {
        onAccount(next);
        toList();
      }}
      onOpen={open}
      onNew={() => setView({ name: 'new' })}
    />
  );
}
