/**
 * Store protocol codecs for publish and pin: `PublishRequest`, `PublishAck`, `PinRequest`, `PinAck`
 * (wire format in `store-protocol.ts`, which re-exports these; import from there).
 */
import { copyBytes } from '../protocol/bytes.ts';
import { ProtocolDecodeError } from '../protocol/errors.ts';
import { assertMaxBytes } from '../protocol/limits.ts';
import { encodeUtf8, ProtoWriter, WIRE_VARINT } from '../protocol/protobuf.ts';
import type { PinAck, PinRequest, PublishAck, PublishRequest } from './store-protocol.ts';
import * as wire from './store-wire.ts';
import {
  ACK_STATUSES,
  type AckStatus,
  MAX_ACK_BYTES,
  MAX_CID_LENGTH,
  MAX_PIN_REQUEST_BYTES,
  MAX_PUBLISH_REQUEST_BYTES,
  MAX_REASON_BYTES,
  MAX_STORED_ENVELOPE_BYTES,
} from './store-wire.ts';

const CID_CHARS = /^[A-Za-z0-9]+$/;

// ── PublishRequest / PublishAck ─────────────────────────────────────────────

/** Encodes a publish request. @throws ProtocolArgumentError */
export function encodePublishRequest(request: PublishRequest): Uint8Array {
  wire.argument(request.envelope instanceof Uint8Array, '"envelope" expected Uint8Array');
  wire.argument(
    request.envelope.length > 0 && request.envelope.length <= MAX_STORED_ENVELOPE_BYTES,
    `"envelope" must be 1..${MAX_STORED_ENVELOPE_BYTES} bytes, got ${request.envelope.length}`,
  );
  const out = new ProtoWriter();
  out.bytes(1, request.envelope);
  return out.finish();
}

/** Decodes a publish request (the envelope itself is not decoded). @throws LimitError, ProtocolDecodeError */
export function decodePublishRequest(bytes: Uint8Array): PublishRequest {
  wire.checkInput('publish_request', bytes, MAX_PUBLISH_REQUEST_BYTES);
  let envelope: Uint8Array | undefined;
  wire.readMessage('publish_request', bytes, { 1: { wireType: 2 } }, (field) => {
    envelope = field.bytes;
  });
  if (!envelope || envelope.length === 0) throw new ProtocolDecodeError('"publish_request" has no envelope');
  assertMaxBytes('publish_request.envelope', envelope, MAX_STORED_ENVELOPE_BYTES);
  return { envelope: copyBytes(envelope) };
}

function encodeAck(status: AckStatus, reasonText: string | undefined, cursorBytes?: Uint8Array): Uint8Array {
  wire.argument(ACK_STATUSES.includes(status), '"status" is not an acknowledgement status');
  const reason = wire.checkReason(reasonText);
  const cursor = wire.checkCursor(cursorBytes);
  const out = new ProtoWriter();
  out.tag(1, WIRE_VARINT).varint(wire.statusCode(status));
  if (reason) out.bytes(2, reason);
  if (cursor) out.bytes(3, cursor);
  return out.finish();
}

function decodeAck(name: string, bytes: Uint8Array, withCursor: boolean): PublishAck {
  wire.checkInput(name, bytes, MAX_ACK_BYTES);
  let status: AckStatus | undefined;
  let reason: string | undefined;
  let cursor: Uint8Array | undefined;
  const fields: Record<number, { wireType: 0 | 2 }> = { 1: { wireType: 0 }, 2: { wireType: 2 } };
  if (withCursor) fields[3] = { wireType: 2 };
  wire.readMessage(name, bytes, fields, (field) => {
    if (field.number === 1) status = wire.decodeStatus(`${name}.status`, field.value, ACK_STATUSES);
    else if (field.number === 2) reason = wire.decodeString(`${name}.reason`, field.bytes, MAX_REASON_BYTES);
    else cursor = wire.decodeCursorField(`${name}.cursor`, field.bytes);
  });
  if (status === undefined) throw new ProtocolDecodeError(`"${name}" has no status`);
  const ack: PublishAck = { status };
  if (reason) ack.reason = reason;
  if (cursor) ack.cursor = cursor;
  return ack;
}

/** Encodes a publish acknowledgement. @throws ProtocolArgumentError */
export function encodePublishAck(ack: PublishAck): Uint8Array {
  return encodeAck(ack.status, ack.reason, ack.cursor);
}

/** Decodes a publish acknowledgement. @throws LimitError, ProtocolDecodeError */
export function decodePublishAck(bytes: Uint8Array): PublishAck {
  return decodeAck('publish_ack', bytes, true);
}

// ── PinRequest / PinAck ─────────────────────────────────────────────────────

function checkCid(cid: string): boolean {
  return typeof cid === 'string' && cid.length > 0 && cid.length <= MAX_CID_LENGTH && CID_CHARS.test(cid);
}

/** Encodes a pin request (`cid`: a CID string, base58btc or multibase, no path). @throws ProtocolArgumentError */
export function encodePinRequest(request: PinRequest): Uint8Array {
  wire.argument(checkCid(request.cid), `"cid" expected 1..${MAX_CID_LENGTH} alphanumeric characters`);
  const out = new ProtoWriter();
  out.bytes(1, encodeUtf8(request.cid));
  return out.finish();
}

/** Decodes a pin request; the CID is only syntax-checked here. @throws LimitError, ProtocolDecodeError */
export function decodePinRequest(bytes: Uint8Array): PinRequest {
  wire.checkInput('pin_request', bytes, MAX_PIN_REQUEST_BYTES);
  let cid: string | undefined;
  wire.readMessage('pin_request', bytes, { 1: { wireType: 2 } }, (field) => {
    cid = wire.decodeString('pin_request.cid', field.bytes, MAX_CID_LENGTH);
  });
  if (cid === undefined || !checkCid(cid))
    throw new ProtocolDecodeError('"pin_request.cid" is missing or invalid');
  return { cid };
}

/** Encodes a pin acknowledgement. @throws ProtocolArgumentError */
export function encodePinAck(ack: PinAck): Uint8Array {
  return encodeAck(ack.status, ack.reason);
}

/** Decodes a pin acknowledgement. @throws LimitError, ProtocolDecodeError */
export function decodePinAck(bytes: Uint8Array): PinAck {
  const { status, reason } = decodeAck('pin_ack', bytes, false);
  return reason === undefined ? { status } : { status, reason };
}
