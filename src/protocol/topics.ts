/**
 * XMTP v2 content topics: `/xmtp/0/<name>/proto`.
 * Contact and invite topics carry the EIP-55 checksummed wallet address, as xmtp-js
 * `buildUserContactTopic` / `buildUserInviteTopic`.
 */
import { type Address, getAddress, isAddress } from 'viem';
import { ProtocolArgumentError } from './errors.ts';
import { MAX_TOPIC_LENGTH } from './limits.ts';

/** `/xmtp/0/<name>/proto`. */
export function buildContentTopic(name: string): string {
  return `/xmtp/0/${name}/proto`;
}

function checksummed(address: string): Address {
  if (!isAddress(address, { strict: false }))
    throw new ProtocolArgumentError(`"address" is not an address: ${address}`);
  return getAddress(address);
}

/** Topic where the wallet's contact bundle is published. */
export function contactTopic(address: string): string {
  return buildContentTopic(`contact-${checksummed(address)}`);
}

/** Topic where sealed invitations to (and from) the wallet are published. */
export function inviteTopic(address: string): string {
  return buildContentTopic(`invite-${checksummed(address)}`);
}

/** Conversation topic of a v2 invitation: `/xmtp/0/m-<id>/proto`. */
export function conversationTopic(id: string): string {
  return buildContentTopic(`m-${id}`);
}

const CONVERSATION_TOPIC = /^\/xmtp\/0\/m-[\x21-\x2e\x30-\x7e]+\/proto$/;

/** True for a well-formed v2 conversation topic (printable ASCII id without '/', bounded length). */
export function isConversationTopic(topic: string): boolean {
  return topic.length <= MAX_TOPIC_LENGTH && CONVERSATION_TOPIC.test(topic);
}
