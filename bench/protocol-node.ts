/**
 * XMTP v2 MessageV2 throughput in Node: Cairn's `src/protocol` against `@xmtp/xmtp-js` 13 (the
 * reference) in the same process, each on its real path, with fresh random identities per run:
 *   - Cairn: `generatePrivateKeyBundle`, `Conversation.start` / `openSealedInvitation`,
 *     `Conversation.send` and `Conversation.receive` (sender HMAC, decrypt, chain + signature).
 *   - xmtp-js: `PrivateKeyBundleV1.generate`, `InMemoryKeystore` + `InMemoryPersistence`,
 *     `createInvite` / `saveInvites`, `ConversationV2.createMessage` (sign+encrypt),
 *     `ConversationV2.decodeMessage` (one message) and `ConversationV2.messages()` (a history).
 * Every result is checked (payload and sender) so a fast wrong answer cannot win, and one message
 * each way through a mixed Cairn ↔ xmtp-js conversation proves both sides produce valid output.
 * Needs the `@xmtp/*` resolve hook: load it through `protocol-loader.ts`.
 */

import { readFileSync } from 'node:fs';
import {
  ConversationV2,
  InMemoryKeystore,
  InMemoryPersistence,
  PrivateKeyBundleV1,
  SignedPublicKeyBundle,
} from '@xmtp/xmtp-js';
import Long from 'long';
import type { Address } from 'viem';
import {
  Conversation,
  decodePrivateKeyBundle,
  generatePrivateKeyBundle,
  inviteTopic,
  openSealedInvitation,
  type PrivateKeyBundle,
  publicBundleOf,
  verifyBundle,
} from '../src/protocol/index.ts';
import { buildSigningTable, SIGNING_TABLE_WINDOW } from '../src/protocol/signing-curve.ts';
import { randomWallet } from '../test/protocol/helpers.ts';
import { type Summary, sampleInterleaved, type TimedCase } from './stats.ts';

/** Payload sizes (encoded `EncodedContent` bytes, opaque at this layer). */
export const PAYLOAD_SIZES = [100, 10 * 1024] as const;
/** Messages per timed run of the per-message rows. */
export const BATCH = 100;
/** Messages in the conversation row. */
export const CONVERSATION_MESSAGES = 1000;
/** Timed runs of the conversation row (each decrypts the whole history). */
export const MAX_CONVERSATION_RUNS = 3;

export type ProtocolOperation = 'sign+encrypt' | 'decrypt+verify' | 'conversation';

export interface ProtocolRow {
  operation: ProtocolOperation;
  payloadBytes: number;
  /** Messages per timed run. */
  messages: number;
  cairn: Summary;
  xmtp: Summary;
}

export interface ProtocolResult {
  rows: ProtocolRow[];
  xmtpVersion: string;
  /** Cairn's signing table (`buildSigningTable`): its window and one-time build, before timing. */
  signingTable: { window: number; ms: number };
}

export interface ProtocolBenchOptions {
  runs: number;
  log?: (line: string) => void;
}

class BenchCheckError extends Error {
  override name = 'BenchCheckError';
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new BenchCheckError(`protocol benchmark output check failed: ${what}`);
}

function sameBytes(a: ArrayLike<number>, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface CairnParty {
  address: Address;
  keys: PrivateKeyBundle;
}

async function cairnParty(): Promise<CairnParty> {
  const wallet = randomWallet();
  const keys = await generatePrivateKeyBundle({ signMessage: wallet.signMessage, address: wallet.address });
  return { address: wallet.address, keys };
}

interface XmtpParty {
  address: Address;
  keystore: InMemoryKeystore;
  signedBundle: SignedPublicKeyBundle;
  v1: PrivateKeyBundleV1;
}

async function xmtpParty(): Promise<XmtpParty> {
  const wallet = randomWallet();
  const v1 = await PrivateKeyBundleV1.generate(wallet.xmtpSigner);
  const keystore = await InMemoryKeystore.create(v1, InMemoryPersistence.create());
  const signedBundle = SignedPublicKeyBundle.fromLegacyBundle(v1.getPublicKeyBundle());
  return { address: wallet.address, keystore, signedBundle, v1 };
}

interface XmtpEnvelope {
  contentTopic: string;
  message: Uint8Array;
  timestampNs: string;
}

/**
 * The `ConversationV2` of `me` on `topic`. The client is the slice of `Client` that
 * ConversationV2 uses: the keystore, the signed bundle, `decodeContent` returning the payload
 * bytes (Cairn's `receive` also stops at the encoded content), and `listEnvelopes` serving
 * `history` from memory exactly as `Client.listEnvelopes` maps a queried page.
 */
function xmtpConversation(me: XmtpParty, topic: string, peerAddress: string, history: XmtpEnvelope[] = []) {
  const client = {
    keystore: me.keystore,
    signedPublicKeyBundle: me.signedBundle,
    address: me.address,
    decodeContent: async (bytes: Uint8Array) => ({
      content: bytes,
      contentType: undefined,
      error: undefined,
    }),
    listEnvelopes: async (_topic: string, mapper: (env: XmtpEnvelope) => Promise<unknown>) => {
      const results: unknown[] = [];
      for (const env of history) results.push(await mapper(env));
      return results;
    },
  };
  return new ConversationV2(
    client as unknown as ConstructorParameters<typeof ConversationV2>[0],
    topic,
    peerAddress,
    new Date(),
    undefined,
    undefined,
  );
}

/** Two fresh Cairn identities in one conversation (A started it, B opened the invitation). */
async function cairnPair() {
  const a = await cairnParty();
  const b = await cairnParty();
  const createdNs = BigInt(Date.now()) * 1_000_000n;
  const { conversation: ab, sealed } = await Conversation.start({
    me: a.keys,
    myAddress: a.address,
    peer: verifyBundle(publicBundleOf(b.keys)),
    createdNs,
  });
  const opened = await openSealedInvitation({ me: b.keys, sealed, envelopeTimestampNs: createdNs });
  const ba = Conversation.fromOpenedInvitation(b.keys, opened);
  check(ab.topic === ba.topic, 'Cairn parties derive the same topic');
  return { a, b, ab, ba };
}

/** Two fresh xmtp-js identities in one conversation through the keystore invite path. */
async function xmtpPair() {
  const a = await xmtpParty();
  const b = await xmtpParty();
  const createdNs = BigInt(Date.now()) * 1_000_000n;
  const invite = await a.keystore.createInvite({
    recipient: b.signedBundle,
    createdNs: Long.fromString(createdNs.toString(), true),
    context: undefined,
    consentProof: undefined,
  });
  const topic = invite.conversation?.topic;
  check(topic !== undefined && invite.payload.length > 0, 'xmtp-js createInvite returns a sealed invitation');
  const saved = await b.keystore.saveInvites({
    requests: [
      {
        contentTopic: inviteTopic(b.address),
        timestampNs: Long.fromString(createdNs.toString(), true),
        payload: invite.payload,
      },
    ],
  });
  check(saved.responses[0]?.result?.conversation?.topic === topic, 'xmtp-js recipient saves the invitation');
  return {
    a,
    b,
    topic,
    ab: xmtpConversation(a, topic, b.address),
    ba: xmtpConversation(b, topic, a.address),
  };
}

/**
 * One message each way through a Cairn ↔ xmtp-js conversation: Cairn's output decrypts and
 * verifies in xmtp-js and the other way round, with the same payload and sender.
 */
async function checkInterop(payload: Uint8Array): Promise<void> {
  const me = await cairnParty();
  const peer = await xmtpParty();
  const createdNs = BigInt(Date.now()) * 1_000_000n;
  const { conversation, sealed } = await Conversation.start({
    me: me.keys,
    myAddress: me.address,
    peer: verifyBundle(publicBundleOf(decodePrivateKeyBundle(peer.v1.encode()))),
    createdNs,
  });
  await peer.keystore.saveInvites({
    requests: [
      {
        contentTopic: inviteTopic(peer.address),
        timestampNs: Long.fromString(createdNs.toString(), true),
        payload: sealed,
      },
    ],
  });
  const theirs = xmtpConversation(peer, conversation.topic, me.address);
  const sent = await conversation.send(payload);
  const decoded = await theirs.decodeMessage({
    contentTopic: conversation.topic,
    message: sent.bytes,
    timestampNs: sent.envelope.timestampNs.toString(),
  });
  check(decoded.senderAddress === me.address, 'xmtp-js attributes a Cairn message to its wallet');
  check(sameBytes(decoded.contentBytes, payload), 'xmtp-js decrypts a Cairn message to its payload');
  const created = await theirs.createMessage(payload, true, new Date());
  const received = await conversation.receive(created.toBytes());
  check(received.senderAddress === peer.address, 'Cairn attributes an xmtp-js message to its wallet');
  check(sameBytes(received.payload, payload), 'Cairn decrypts an xmtp-js message to its payload');
}

function randomPayload(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(size, i + 65536)));
  return out;
}

interface Case extends TimedCase {
  operation: ProtocolOperation;
  payloadBytes: number;
  side: 'cairn' | 'xmtp';
  messages: number;
}

const timed =
  (work: () => Promise<void>): TimedCase['run'] =>
  async () => {
    await work();
    return undefined;
  };

/** Sign+encrypt and decrypt+verify of single messages on warm conversations, `BATCH` per run. */
async function perMessageCases(payload: Uint8Array): Promise<Case[]> {
  const cairn = await cairnPair();
  const xmtp = await xmtpPair();
  const base = { payloadBytes: payload.length, messages: BATCH };
  // The messages the decrypt rows read, made once (and checked by every timed run).
  const cairnInbox: Uint8Array[] = [];
  const xmtpInbox: XmtpEnvelope[] = [];
  for (let i = 0; i < BATCH; i++) {
    cairnInbox.push((await cairn.ab.send(payload)).bytes);
    const created = await xmtp.ab.createMessage(payload, true, new Date());
    xmtpInbox.push({
      contentTopic: xmtp.topic,
      message: created.toBytes(),
      timestampNs: created.sent.getTime().toString(),
    });
  }
  return [
    {
      ...base,
      operation: 'sign+encrypt',
      side: 'cairn',
      run: timed(async () => {
        let last: Uint8Array | undefined;
        for (let i = 0; i < BATCH; i++) last = (await cairn.ab.send(payload)).bytes;
        const back = await cairn.ba.receive(last!);
        check(sameBytes(back.payload, payload) && back.senderAddress === cairn.a.address, 'Cairn sends');
      }),
    },
    {
      ...base,
      operation: 'sign+encrypt',
      side: 'xmtp',
      run: timed(async () => {
        let last: Uint8Array | undefined;
        for (let i = 0; i < BATCH; i++)
          last = (await xmtp.ab.createMessage(payload, true, new Date())).toBytes();
        const back = await xmtp.ba.decodeMessage({
          contentTopic: xmtp.topic,
          message: last!,
          timestampNs: '0',
        });
        check(
          sameBytes(back.contentBytes, payload) && back.senderAddress === xmtp.a.address,
          'xmtp-js sends',
        );
      }),
    },
    {
      ...base,
      operation: 'decrypt+verify',
      side: 'cairn',
      run: timed(async () => {
        for (const bytes of cairnInbox) {
          const got = await cairn.ba.receive(bytes);
          check(sameBytes(got.payload, payload) && got.senderAddress === cairn.a.address, 'Cairn receives');
        }
      }),
    },
    {
      ...base,
      operation: 'decrypt+verify',
      side: 'xmtp',
      run: timed(async () => {
        for (const env of xmtpInbox) {
          const got = await xmtp.ba.decodeMessage(env);
          check(
            sameBytes(got.contentBytes, payload) && got.senderAddress === xmtp.a.address,
            'xmtp-js receives',
          );
        }
      }),
    },
  ];
}

/**
 * A `CONVERSATION_MESSAGES`-message history, alternating senders, read by B from a freshly
 * opened conversation each run: Cairn `Conversation.restore` (re-verifies the peer bundle) then
 * `receive` in order; xmtp-js a new `ConversationV2` and `messages()`.
 */
async function conversationCases(payload: Uint8Array): Promise<Case[]> {
  const cairn = await cairnPair();
  const xmtp = await xmtpPair();
  const startMs = Date.now() - CONVERSATION_MESSAGES;
  const cairnHistory: Uint8Array[] = [];
  const xmtpHistory: XmtpEnvelope[] = [];
  const senders: [Address, Address][] = [];
  for (let i = 0; i < CONVERSATION_MESSAGES; i++) {
    const fromA = i % 2 === 0;
    const createdNs = BigInt(startMs + i) * 1_000_000n;
    cairnHistory.push((await (fromA ? cairn.ab : cairn.ba).send(payload, { createdNs })).bytes);
    const created = await (fromA ? xmtp.ab : xmtp.ba).createMessage(payload, true, new Date(startMs + i));
    xmtpHistory.push({
      contentTopic: xmtp.topic,
      message: created.toBytes(),
      timestampNs: createdNs.toString(),
    });
    senders.push([fromA ? cairn.a.address : cairn.b.address, fromA ? xmtp.a.address : xmtp.b.address]);
  }
  const snapshot = cairn.ba.snapshot();
  const base = {
    operation: 'conversation' as const,
    payloadBytes: payload.length,
    messages: CONVERSATION_MESSAGES,
  };
  return [
    {
      ...base,
      side: 'cairn',
      run: timed(async () => {
        const conversation = Conversation.restore({ me: cairn.b.keys, myAddress: cairn.b.address, snapshot });
        for (const [i, bytes] of cairnHistory.entries()) {
          const got = await conversation.receive(bytes);
          check(
            sameBytes(got.payload, payload) && got.senderAddress === senders[i]?.[0],
            'Cairn reads history',
          );
        }
      }),
    },
    {
      ...base,
      side: 'xmtp',
      run: timed(async () => {
        const conversation = xmtpConversation(xmtp.b, xmtp.topic, xmtp.a.address, xmtpHistory);
        const messages = await conversation.messages();
        check(messages.length === CONVERSATION_MESSAGES, 'xmtp-js reads every message');
        for (const [i, got] of messages.entries()) {
          check(
            sameBytes(got.contentBytes, payload) && got.senderAddress === senders[i]?.[1],
            'xmtp-js reads history',
          );
        }
      }),
    },
  ];
}

/** The installed `@xmtp/xmtp-js` version (its exports map hides `package.json`). */
function xmtpJsVersion(): string {
  const url = new URL('../node_modules/@xmtp/xmtp-js/package.json', import.meta.url);
  const { version } = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}

/** Runs every case: per-message rows with `runs` rounds, the conversation rows with fewer. */
export async function benchProtocol({ runs, log = () => {} }: ProtocolBenchOptions): Promise<ProtocolResult> {
  const payloads = PAYLOAD_SIZES.map(randomPayload);
  // The extension builds it in a quiet moment after unlock (SigningTableWarmUp), so sends
  // never pay for it; timed here once, apart.
  const tableStart = performance.now();
  buildSigningTable();
  const signingTableMs = performance.now() - tableStart;
  for (const payload of payloads) {
    log(`protocol: interop check, ${payload.length} B payload…`);
    await checkInterop(payload);
  }
  log('protocol: fresh identities and conversations…');
  const perMessage = (await Promise.all(payloads.map(perMessageCases))).flat();
  const perMessageSummaries = await sampleInterleaved(perMessage, runs, (round) =>
    log(
      `protocol: ${round === 0 ? 'warm-up round' : `round ${round}/${runs}`} of ${perMessage.length} cases…`,
    ),
  );
  log(`protocol: ${CONVERSATION_MESSAGES}-message histories…`);
  const conversation = (await Promise.all(payloads.map(conversationCases))).flat();
  const conversationRuns = Math.min(runs, MAX_CONVERSATION_RUNS);
  const conversationSummaries = await sampleInterleaved(conversation, conversationRuns, (round) =>
    log(
      `protocol: ${round === 0 ? 'warm-up round' : `round ${round}/${conversationRuns}`} of ${conversation.length} histories…`,
    ),
  );
  const cases = [...perMessage, ...conversation];
  const summaries = [...perMessageSummaries, ...conversationSummaries];
  const rows: ProtocolRow[] = [];
  for (const [i, c] of cases.entries()) {
    if (c.side !== 'cairn') continue;
    const cairn = summaries[i];
    const j = cases.findIndex(
      (o) => o.side === 'xmtp' && o.operation === c.operation && o.payloadBytes === c.payloadBytes,
    );
    const xmtp = summaries[j];
    if (!cairn || !xmtp) throw new Error(`no summary for ${c.operation} ${c.payloadBytes}`);
    rows.push({ operation: c.operation, payloadBytes: c.payloadBytes, messages: c.messages, cairn, xmtp });
  }
  const order: ProtocolOperation[] = ['sign+encrypt', 'decrypt+verify', 'conversation'];
  rows.sort(
    (a, b) => order.indexOf(a.operation) - order.indexOf(b.operation) || a.payloadBytes - b.payloadBytes,
  );
  return {
    rows,
    xmtpVersion: xmtpJsVersion(),
    signingTable: { window: SIGNING_TABLE_WINDOW, ms: signingTableMs },
  };
}
