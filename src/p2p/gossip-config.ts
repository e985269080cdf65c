/**
 * Gossipsub settings shared by clients and relays. Envelopes are signed at the
 * protocol layer, so libp2p-level signing is off (StrictNoSign, about twice the relay
 * throughput) and a message's id is the hash of its bytes: the same envelope
 * published twice, or by two relays, is one message.
 */
import { type GossipsubOpts, StrictNoSign } from '@libp2p/gossipsub';
import { sha256 } from '@noble/hashes/sha2.js';
import { MAX_ENVELOPE_BYTES } from '../protocol/limits';
import { ANCHOR_LEAVES_TOPIC, ANCHOR_RECEIPTS_TOPIC } from './anchor-topics';
import { allShardTopics } from './shards';

/** An encoded message-API Envelope: payload limit plus room for the topic and timestamp. */
export const MAX_GOSSIP_MESSAGE_BYTES = MAX_ENVELOPE_BYTES + 1024;
/** One gossipsub RPC frame: a handful of messages plus control data. */
export const MAX_GOSSIP_RPC_BYTES = 4 * MAX_GOSSIP_MESSAGE_BYTES;

export function gossipsubOptions(role: 'client' | 'relay'): Partial<GossipsubOpts> {
  return {
    globalSignaturePolicy: StrictNoSign,
    msgIdFn: (message) => sha256(message.data),
    // The library's defaults are unlimited: bound every decoded field.
    maxInboundDataLength: MAX_GOSSIP_RPC_BYTES,
    decodeRpcLimits: {
      maxSubscriptions: 64,
      maxMessages: 64,
      maxIhaveMessageIDs: 5000,
      maxIwantMessageIDs: 5000,
      maxIdontwantMessageIDs: 5000,
      maxControlMessages: 256,
      maxPeerInfos: 32,
    },
    allowedTopics: [...allShardTopics(), ANCHOR_LEAVES_TOPIC, ANCHOR_RECEIPTS_TOPIC],
    // A lone client with one relay must still publish and receive.
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    emitSelf: false,
    // Clients are leaves: only relays forward other peers' messages.
    canRelayMessage: role === 'relay',
    runOnLimitedConnection: true,
  };
}
