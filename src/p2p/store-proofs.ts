/**
 * `/cairn/store/1/proof`: a client asks a relay where its messages stand in anchoring, and gets
 * each one's Merkle proof once its batch is anchored. One request frame, one response frame, as
 * the other store protocols. A proof is a claim to check (src/chain/anchor-proof.ts), not a fact.
 *
 *   message ProofRequest  { repeated bytes message_ids = 1; }        // 1..100 ids of 32 bytes
 *   message ProofResponse { Status status = 1; string reason = 2; repeated MessageProofEntry proofs = 3; }
 *   message MessageProofEntry {
 *     bytes message_id = 1;
 *     ProofState state = 2;        // 1 UNKNOWN, 2 PENDING, 3 ANCHORED
 *     string content_topic = 3;    // PENDING, ANCHORED
 *     bytes root = 4;              // ANCHORED (32 bytes)
 *     repeated bytes proof = 5;    // ANCHORED (32 bytes each, ≤ 64)
 *     uint64 batch_id = 6;  bytes tx_hash = 7;  uint64 block_number = 8;
 *     string manifest_cid = 9;  uint64 chain_id = 10;  bytes contract = 11;   // ANCHORED
 *   }
 */
import { bytesToHex, getAddress, type Hex, hexToBytes } from 'viem';
import { ProtocolDecodeError } from '../protocol/errors.ts';
import { assertMaxBytes } from '../protocol/limits.ts';
import {
  decodeUtf8,
  encodeUtf8,
  ProtoReader,
  ProtoWriter,
  WIRE_BYTES,
  WIRE_VARINT,
} from '../protocol/protobuf.ts';
import { argument } from './store-wire.ts';

export const STORE_PROOF_PROTOCOL = '/cairn/store/1/proof';
export const MAX_PROOF_IDS = 100;
export const MAX_PROOF_REQUEST_BYTES = MAX_PROOF_IDS * 35 + 16;
export const MAX_PROOF_RESPONSE_BYTES = 512 * 1024;
const MAX_PROOF_DEPTH = 64;
const MAX_TEXT_BYTES = 256;

export type ProofState = 'unknown' | 'pending' | 'anchored';
const STATES: readonly ProofState[] = ['unknown', 'pending', 'anchored'];
export type ProofResponseStatus = 'ok' | 'rate_limited' | 'failed';
const STATUSES: readonly ProofResponseStatus[] = ['ok', 'rate_limited', 'failed'];

export interface AnchoredProof {
  root: Hex;
  proof: Hex[];
  batchId: bigint;
  txHash: Hex;
  blockNumber: bigint;
  manifestCid: string;
  chainId: bigint;
  contract: Hex;
}

export interface MessageProofEntry {
  messageId: Hex;
  state: ProofState;
  contentTopic?: string;
  anchored?: AnchoredProof;
}

export interface ProofResponse {
  status: ProofResponseStatus;
  reason?: string;
  proofs: MessageProofEntry[];
}

export function encodeProofRequest(messageIds: readonly Hex[]): Uint8Array {
  argument(
    messageIds.length >= 1 && messageIds.length <= MAX_PROOF_IDS,
    `ask for 1..${MAX_PROOF_IDS} messages`,
  );
  const out = new ProtoWriter();
  for (const id of messageIds) out.bytes(1, hexToBytes(id, { size: 32 }));
  return out.finish();
}

/** @throws LimitError, ProtocolDecodeError */
export function decodeProofRequest(bytes: Uint8Array): Hex[] {
  assertMaxBytes('proof_request', bytes, MAX_PROOF_REQUEST_BYTES);
  const reader = new ProtoReader(bytes, 'proof_request');
  const ids: Hex[] = [];
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field !== 1) {
      reader.skip(wire);
      continue;
    }
    reader.expectWire(field, wire, WIRE_BYTES);
    const id = reader.lengthDelimited();
    if (id.length !== 32) reader.fail('has a message id that is not 32 bytes');
    if (ids.length === MAX_PROOF_IDS) reader.fail('asks for too many messages');
    ids.push(bytesToHex(id));
  }
  if (ids.length === 0) throw new ProtocolDecodeError('"proof_request" asks for no message');
  return ids;
}

export function encodeProofResponse(response: ProofResponse): Uint8Array {
  const out = new ProtoWriter();
  out.tag(1, WIRE_VARINT).varint(STATUSES.indexOf(response.status) + 1);
  if (response.reason) out.bytes(2, encodeUtf8(response.reason.slice(0, 200)));
  for (const entry of response.proofs) {
    const item = new ProtoWriter();
    item.bytes(1, hexToBytes(entry.messageId, { size: 32 }));
    item.tag(2, WIRE_VARINT).varint(STATES.indexOf(entry.state) + 1);
    if (entry.contentTopic) item.bytes(3, encodeUtf8(entry.contentTopic));
    const a = entry.anchored;
    if (a) {
      item.bytes(4, hexToBytes(a.root, { size: 32 }));
      for (const node of a.proof) item.bytes(5, hexToBytes(node, { size: 32 }));
      item.tag(6, WIRE_VARINT).uint64(a.batchId);
      item.bytes(7, hexToBytes(a.txHash, { size: 32 }));
      item.tag(8, WIRE_VARINT).uint64(a.blockNumber);
      item.bytes(9, encodeUtf8(a.manifestCid));
      item.tag(10, WIRE_VARINT).uint64(a.chainId);
      item.bytes(11, hexToBytes(a.contract, { size: 20 }));
    }
    out.bytes(3, item.finish());
  }
  return out.finish();
}

/** @throws LimitError, ProtocolDecodeError */
export function decodeProofResponse(bytes: Uint8Array): ProofResponse {
  assertMaxBytes('proof_response', bytes, MAX_PROOF_RESPONSE_BYTES);
  const reader = new ProtoReader(bytes, 'proof_response');
  let status: ProofResponseStatus | undefined;
  let reason: string | undefined;
  const proofs: MessageProofEntry[] = [];
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      reader.expectWire(field, wire, WIRE_VARINT);
      status = STATUSES[reader.varint() - 1];
      if (!status) reader.fail('has an unknown status');
    } else if (field === 2) {
      reader.expectWire(field, wire, WIRE_BYTES);
      reason = text(reader, 'proof_response.reason');
    } else if (field === 3) {
      reader.expectWire(field, wire, WIRE_BYTES);
      if (proofs.length === MAX_PROOF_IDS) reader.fail('has too many proofs');
      proofs.push(decodeEntry(reader.lengthDelimited()));
    } else {
      reader.skip(wire);
    }
  }
  if (!status) throw new ProtocolDecodeError('"proof_response" has no status');
  return { status, ...(reason ? { reason } : {}), proofs };
}

function text(reader: ProtoReader, name: string): string {
  const raw = reader.lengthDelimited();
  if (raw.length === 0 || raw.length > MAX_TEXT_BYTES) reader.fail(`has an empty or too long ${name}`);
  return decodeUtf8(raw, name);
}

function decodeEntry(bytes: Uint8Array): MessageProofEntry {
  const reader = new ProtoReader(bytes, 'proof_response.proof');
  const fixed = new Map<number, Uint8Array>();
  const numbers = new Map<number, bigint>();
  const proof: Hex[] = [];
  let state: ProofState | undefined;
  let contentTopic: string | undefined;
  let manifestCid: string | undefined;
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 2) {
      reader.expectWire(field, wire, WIRE_VARINT);
      state = STATES[reader.varint() - 1];
      if (!state) reader.fail('has an unknown state');
    } else if (field === 3 || field === 9) {
      reader.expectWire(field, wire, WIRE_BYTES);
      const value = text(reader, field === 3 ? 'content topic' : 'manifest CID');
      if (field === 3) contentTopic = value;
      else manifestCid = value;
    } else if (field === 5) {
      reader.expectWire(field, wire, WIRE_BYTES);
      const node = reader.lengthDelimited();
      if (node.length !== 32 || proof.length === MAX_PROOF_DEPTH) reader.fail('has a bad proof');
      proof.push(bytesToHex(node));
    } else if (field === 1 || field === 4 || field === 7 || field === 11) {
      reader.expectWire(field, wire, WIRE_BYTES);
      fixed.set(field, reader.lengthDelimited().slice());
    } else if (field === 6 || field === 8 || field === 10) {
      reader.expectWire(field, wire, WIRE_VARINT);
      numbers.set(field, reader.uint64());
    } else {
      reader.skip(wire);
    }
  }
  const sized = (field: number, size: number): Hex => {
    const value = fixed.get(field);
    if (value?.length !== size)
      throw new ProtocolDecodeError(`"proof_response.proof" field ${field} is not ${size} bytes`);
    return bytesToHex(value);
  };
  if (!state) throw new ProtocolDecodeError('"proof_response.proof" has no state');
  const entry: MessageProofEntry = { messageId: sized(1, 32), state };
  if (contentTopic) entry.contentTopic = contentTopic;
  if (state === 'anchored') {
    if (!contentTopic || !manifestCid)
      throw new ProtocolDecodeError('an anchored proof needs its topic and manifest');
    entry.anchored = {
      root: sized(4, 32),
      proof,
      batchId: numbers.get(6) ?? 0n,
      txHash: sized(7, 32),
      blockNumber: numbers.get(8) ?? 0n,
      manifestCid,
      chainId: numbers.get(10) ?? 0n,
      contract: getAddress(sized(11, 20)),
    };
  }
  return entry;
}
