/** Valid and invalid envelopes for the relay tests, built with the real protocol functions. */
import {
  createInvitation,
  encodeContactBundle,
  encodeEnvelope,
  encodeMessageV2,
  type Invitation,
  publicBundleOf,
} from '../../src/protocol/index.ts';
import { contactTopic, inviteTopic } from '../../src/protocol/topics.ts';
import { type CairnIdentity, cairnIdentity, nowNs } from '../protocol/helpers.ts';

export { cairnIdentity, flip, nowNs } from '../protocol/helpers.ts';
export type { CairnIdentity };

const utf8 = new TextEncoder();

/** An identity's contact bundle on its own contact topic. */
export function contactEnvelope(identity: CairnIdentity, timestampNs = nowNs()): Uint8Array {
  return encodeEnvelope({
    contentTopic: contactTopic(identity.address),
    timestampNs,
    message: encodeContactBundle(publicBundleOf(identity.keys)),
  });
}

export interface Conversation {
  a: CairnIdentity;
  b: CairnIdentity;
  invitation: Invitation;
  /** The sealed invitation on the invite topics of a and b. */
  invites: [Uint8Array, Uint8Array];
  createdNs: bigint;
}

/** A conversation a → b: the invitation and its two invite-topic envelopes. */
export async function conversation(a?: CairnIdentity, b?: CairnIdentity): Promise<Conversation> {
  const me = a ?? (await cairnIdentity());
  const peer = b ?? (await cairnIdentity());
  const createdNs = nowNs();
  const { invitation, sealed } = await createInvitation({
    me: me.keys,
    myAddress: me.address,
    peer: peer.bundle,
    createdNs,
  });
  const invites: [Uint8Array, Uint8Array] = [
    encodeEnvelope({ contentTopic: inviteTopic(me.address), timestampNs: createdNs, message: sealed }),
    encodeEnvelope({ contentTopic: inviteTopic(peer.address), timestampNs: createdNs, message: sealed }),
  ];
  return { a: me, b: peer, invitation, invites, createdNs };
}

/** A MessageV2 from `conversation.a` on the conversation topic; the envelope time is `createdNs`. */
export async function messageEnvelope(
  conv: Conversation,
  text: string,
  createdNs = nowNs(),
): Promise<{ bytes: Uint8Array; message: Uint8Array }> {
  const { bytes } = await encodeMessageV2({
    topic: conv.invitation.topic,
    keyMaterial: conv.invitation.keyMaterial,
    sender: conv.a.keys,
    senderAddress: conv.a.address,
    payload: utf8.encode(text),
    createdNs,
  });
  return {
    bytes: encodeEnvelope({ contentTopic: conv.invitation.topic, timestampNs: createdNs, message: bytes }),
    message: bytes,
  };
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** Envelope bytes encoded by hand, bypassing `encodeEnvelope`'s limits (to test the relay's). */
export function rawEnvelope(topic: string, timestampNs: bigint, message: Uint8Array): Uint8Array {
  const topicBytes = utf8.encode(topic);
  const head = [
    0x0a,
    ...varint(BigInt(topicBytes.length)),
    ...topicBytes,
    0x10,
    ...varint(timestampNs),
    0x1a,
  ];
  const length = varint(BigInt(message.length));
  const out = new Uint8Array(head.length + length.length + message.length);
  out.set(head, 0);
  out.set(length, head.length);
  out.set(message, head.length + length.length);
  return out;
}
