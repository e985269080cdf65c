/**
 * Cairn store protocol: request/response streams between a client and a relay that keeps
 * message-API envelopes (query history, publish with an acknowledgement, pin a blob).
 *
 * One stream per request: the client writes one length-prefixed frame (an unsigned-varint
 * length, then a protobuf message), closes its write side, and reads one frame back.
 * Field numbers follow xmtp `message_api.v1` where the meaning is the same
 * (https://github.com/xmtp/proto/blob/main/proto/message_api/v1/message_api.proto):
 *
 *   message QueryRequest  { repeated string content_topics = 1; PagingInfo paging_info = 4; }
 *                            // 2, 3 (start/end time) are refused: paging is by relay cursor only
 *   message PagingInfo    { uint32 limit = 1; bytes cursor = 2; SortDirection direction = 3; }
 *   message QueryResponse { repeated bytes envelopes = 1; PagingInfo paging_info = 2;
 *                           Status status = 3; string reason = 4; bytes resume_cursor = 5; }
 *   message PublishRequest { bytes envelope = 1; }
 *   message PublishAck     { Status status = 1; string reason = 2; bytes cursor = 3; }
 *   message PinRequest     { string cid = 1; }
 *   message PinAck         { Status status = 1; string reason = 2; }
 *   enum SortDirection { UNSPECIFIED = 0 (= ascending); ASCENDING = 1; DESCENDING = 2; }
 *   enum Status { UNSPECIFIED = 0; OK = 1; STORED = 2; DUPLICATE = 3; REJECTED = 4;
 *                 RATE_LIMITED = 5; FAILED = 6; }
 *
 * `envelopes` are encoded `Envelope`s (wire-identical to xmtp's `repeated Envelope`).
 * Cursors are opaque to clients and valid for the relay that issued them only: the relay's
 * own insertion order, not the sender's timestamp. `paging_info.cursor` is the next page's
 * cursor and is absent at the end; `resume_cursor` is the position after the page's last
 * envelope, present whenever the page is not empty: what a client keeps to catch up later.
 *
 * The codecs (over `src/protocol/protobuf.ts`) are strict: the size is checked before decoding,
 * malformed varints and lengths, groups, field 0, wrong wire types, repeated singular fields, unknown
 * enum values and out-of-range values are refused (`ProtocolDecodeError`, or `LimitError` for sizes);
 * unknown fields are skipped. What an encoder produces, the decoder accepts.
 */
import { copyBytes } from '../protocol/bytes.ts';
import { MAX_ENCODED_ENVELOPE_BYTES } from '../protocol/envelope.ts';
import { ProtocolArgumentError, ProtocolDecodeError } from '../protocol/errors.ts';
import { assertMaxBytes, MAX_TOPIC_LENGTH } from '../protocol/limits.ts';
import { decodeUtf8, encodeUtf8, ProtoReader, ProtoWriter, WIRE_VARINT } from '../protocol/protobuf.ts';

export const STORE_QUERY_PROTOCOL = '/cairn/store/1/query';
export const STORE_PUBLISH_PROTOCOL = '/cairn/store/1/publish';
export const STORE_PIN_PROTOCOL = '/cairn/store/1/pin';

/** Largest page a relay returns; larger requested limits are clamped to it. */
export const MAX_PAGE_SIZE = 100;
/** Most content topics in one query. */
export const MAX_QUERY_TOPICS = 100;
/** Longest opaque cursor. */
export const MAX_CURSOR_BYTES = 64;
/** Longest reason string in a response, in UTF-8 bytes. */
export const MAX_REASON_BYTES = 256;
/** Longest CID string in a pin request. */
export const MAX_CID_LENGTH = 256;
/** Largest encoded envelope carried by the store protocol (payload + topic + tags). */
export const MAX_STORED_ENVELOPE_BYTES = MAX_ENCODED_ENVELOPE_BYTES;

/** Frame limits, enforced by the length-prefixed reader before any byte is decoded. */
export const MAX_QUERY_REQUEST_BYTES = 32 * 1024;
export const MAX_QUERY_RESPONSE_BYTES = 2 * 1024 * 1024;
export const MAX_PUBLISH_REQUEST_BYTES = MAX_STORED_ENVELOPE_BYTES + 8;
export const MAX_ACK_BYTES = 1024;
export const MAX_PIN_REQUEST_BYTES = 512;
/** Room in a query response for everything but the envelopes (paging info, status, reason). */
export const QUERY_RESPONSE_OVERHEAD_BYTES = 512;
/** Budget for a page's envelope bytes: the frame minus the overhead and each envelope's tag and length. */
export const MAX_QUERY_PAGE_ENVELOPE_BYTES =
  MAX_QUERY_RESPONSE_BYTES - QUERY_RESPONSE_OVERHEAD_BYTES - MAX_PAGE_SIZE * 4;

export type SortDirection = 'ascending' | 'descending';

/** Status of a response. `ok` only in query responses; the others in acknowledgements. */
export type StoreStatus = 'ok' | 'stored' | 'duplicate' | 'rejected' | 'rate_limited' | 'failed';
export type AckStatus = Exclude<StoreStatus, 'ok'>;
export type QueryStatus = 'ok' | 'rejected' | 'rate_limited' | 'failed';

export interface QueryRequest {
  /** 1..100 content topics. */
  contentTopics: string[];
  /** Resume after this relay cursor (exclusive); absent = from the start (or end, descending). */
  cursor?: Uint8Array;
  /** Requested page size; 0 = the relay's default. The relay clamps it to `MAX_PAGE_SIZE`. */
  limit: number;
  direction: SortDirection;
}

export interface QueryResponse {
  status: QueryStatus;
  reason?: string;
  /** Encoded envelopes in cursor order (empty unless `status` is `ok`). */
  envelopes: Uint8Array[];
  /** Cursor of the next page; absent when there is nothing more. */
  cursor?: Uint8Array;
  /** Position after the last envelope of this page (to catch up later); absent on an empty page. */
  resumeCursor?: Uint8Array;
}

export interface PublishRequest {
  /** An encoded `Envelope`. */
  envelope: Uint8Array;
}

export interface PublishAck {
  status: AckStatus;
  reason?: string;
  /** Where the relay stored it (stored or duplicate). */
  cursor?: Uint8Array;
}

export interface PinRequest {
  cid: string;
}

export interface PinAck {
  status: AckStatus;
  reason?: string;
}

/** Wire values of `Status`: the index in this list plus one (0 is unspecified). */
const STATUS_ORDER: readonly StoreStatus[] = [
  'ok',
  'stored',
  'duplicate',
  'rejected',
  'rate_limited',
  'failed',
];
const ACK_STATUSES: readonly AckStatus[] = ['stored', 'duplicate', 'rejected', 'rate_limited', 'failed'];
const QUERY_STATUSES: readonly QueryStatus[] = ['ok', 'rejected', 'rate_limited', 'failed'];

function statusCode(status: StoreStatus): number {
  return STATUS_ORDER.indexOf(status) + 1;
}

const CID_CHARS = /^[A-Za-z0-9]+$/;
const UINT32_MAX = 0xffff_ffff;
const EMPTY = new Uint8Array(0);

function argument(condition: boolean, message: string): void {
  if (!condition) throw new ProtocolArgumentError(message);
}

function checkReason(reason: string | undefined): Uint8Array | undefined {
  if (reason === undefined || reason.length === 0) return undefined;
  const bytes = encodeUtf8(reason);
  argument(bytes.length <= MAX_REASON_BYTES, `"reason" is over ${MAX_REASON_BYTES} bytes`);
  return bytes;
}

function checkCursor(cursor: Uint8Array | undefined): Uint8Array | undefined {
  if (cursor === undefined) return undefined;
  argument(cursor instanceof Uint8Array, '"cursor" expected Uint8Array');
  argument(
    cursor.length > 0 && cursor.length <= MAX_CURSOR_BYTES,
    `"cursor" must be 1..${MAX_CURSOR_BYTES} bytes`,
  );
  return cursor;
}

interface Field {
  number: number;
  /** Varint value (wire type 0). */
  value: number;
  /** Length-delimited bytes (wire type 2), a view into the input: copy what is kept (the input may be a Buffer). */
  bytes: Uint8Array;
}

/** Runs `onField` for each known field, enforcing wire types and at most one of each singular field. */
function readMessage(
  name: string,
  bytes: Uint8Array,
  fields: Record<number, { wireType: 0 | 2; repeated?: boolean }>,
  onField: (field: Field) => void,
): void {
  const reader = new ProtoReader(bytes, name);
  const seen = new Set<number>();
  while (!reader.done) {
    const [number, wireType] = reader.tag();
    const spec = fields[number];
    if (spec === undefined) {
      reader.skip(wireType); // unknown field
      continue;
    }
    reader.expectWire(number, wireType, spec.wireType);
    if (!spec.repeated) {
      if (seen.has(number)) reader.fail(`repeats singular field ${number}`);
      seen.add(number);
    }
    if (wireType === WIRE_VARINT) onField({ number, value: reader.varint(), bytes: EMPTY });
    else onField({ number, value: 0, bytes: reader.lengthDelimited() });
  }
}

function decodeString(name: string, bytes: Uint8Array, maxBytes: number): string {
  if (bytes.length > maxBytes) throw new ProtocolDecodeError(`"${name}" is over ${maxBytes} bytes`);
  return decodeUtf8(bytes, name);
}

function decodeCursorField(name: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0 || bytes.length > MAX_CURSOR_BYTES) {
    throw new ProtocolDecodeError(`"${name}" must be 1..${MAX_CURSOR_BYTES} bytes`);
  }
  return copyBytes(bytes);
}

function decodeStatus<T extends StoreStatus>(name: string, value: number, allowed: readonly T[]): T {
  const named = STATUS_ORDER[value - 1];
  const status = allowed.find((candidate) => candidate === named);
  if (status === undefined) throw new ProtocolDecodeError(`"${name}" has an invalid status ${value}`);
  return status;
}

function checkInput(name: string, bytes: Uint8Array, max: number): void {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolArgumentError(`"${name}" expected Uint8Array`);
  assertMaxBytes(name, bytes, max);
}

// ── QueryRequest ────────────────────────────────────────────────────────────

function checkTopic(topic: string): Uint8Array {
  argument(typeof topic === 'string', '"contentTopics" expected strings');
  const bytes = encodeUtf8(topic);
  argument(
    bytes.length > 0 && bytes.length <= MAX_TOPIC_LENGTH,
    `"contentTopics" entries must be 1..${MAX_TOPIC_LENGTH} bytes`,
  );
  return bytes;
}

/** Encodes a query request. @throws ProtocolArgumentError */
export function encodeQueryRequest(request: QueryRequest): Uint8Array {
  const topics = request.contentTopics;
  argument(Array.isArray(topics), '"contentTopics" expected an array');
  argument(
    topics.length > 0 && topics.length <= MAX_QUERY_TOPICS,
    `"contentTopics" must hold 1..${MAX_QUERY_TOPICS} topics, got ${topics.length}`,
  );
  argument(
    Number.isInteger(request.limit) && request.limit >= 0 && request.limit <= UINT32_MAX,
    '"limit" expected a uint32',
  );
  argument(request.direction === 'ascending' || request.direction === 'descending', '"direction" is invalid');
  const cursor = checkCursor(request.cursor);
  const out = new ProtoWriter();
  for (const topic of topics) out.bytes(1, checkTopic(topic));
  const paging = new ProtoWriter();
  if (request.limit > 0) paging.tag(1, WIRE_VARINT).varint(request.limit);
  if (cursor) paging.bytes(2, cursor);
  paging.tag(3, WIRE_VARINT).varint(request.direction === 'ascending' ? 1 : 2);
  out.bytes(4, paging.finish());
  return out.finish();
}

interface PagingInfo {
  limit: number;
  cursor?: Uint8Array;
  direction: SortDirection;
}

function decodePagingInfo(name: string, bytes: Uint8Array): PagingInfo {
  const paging: PagingInfo = { limit: 0, direction: 'ascending' };
  readMessage(name, bytes, { 1: { wireType: 0 }, 2: { wireType: 2 }, 3: { wireType: 0 } }, (field) => {
    if (field.number === 1) {
      if (field.value > UINT32_MAX) throw new ProtocolDecodeError(`"${name}.limit" is over uint32`);
      paging.limit = field.value;
    } else if (field.number === 2) {
      paging.cursor = decodeCursorField(`${name}.cursor`, field.bytes);
    } else if (field.value === 0 || field.value === 1) {
      paging.direction = 'ascending';
    } else if (field.value === 2) {
      paging.direction = 'descending';
    } else {
      throw new ProtocolDecodeError(`"${name}.direction" has an invalid value ${field.value}`);
    }
  });
  return paging;
}

/**
 * Decodes a query request; at least one topic is required.
 * @throws LimitError, ProtocolDecodeError
 */
export function decodeQueryRequest(bytes: Uint8Array): QueryRequest {
  checkInput('query_request', bytes, MAX_QUERY_REQUEST_BYTES);
  const contentTopics: string[] = [];
  let paging: PagingInfo = { limit: 0, direction: 'ascending' };
  readMessage(
    'query_request',
    bytes,
    {
      1: { wireType: 2, repeated: true },
      2: { wireType: 0 },
      3: { wireType: 0 },
      4: { wireType: 2 },
    },
    (field) => {
      if (field.number === 1) {
        if (contentTopics.length >= MAX_QUERY_TOPICS) {
          throw new ProtocolDecodeError(`"query_request" has over ${MAX_QUERY_TOPICS} topics`);
        }
        if (field.bytes.length === 0) throw new ProtocolDecodeError('"query_request" has an empty topic');
        contentTopics.push(decodeString('query_request.content_topics', field.bytes, MAX_TOPIC_LENGTH));
      } else if (field.number === 4) {
        paging = decodePagingInfo('query_request.paging_info', field.bytes);
      } else {
        throw new ProtocolDecodeError('"query_request" time filters are not supported');
      }
    },
  );
  if (contentTopics.length === 0) throw new ProtocolDecodeError('"query_request" has no content topic');
  const request: QueryRequest = { contentTopics, limit: paging.limit, direction: paging.direction };
  if (paging.cursor) request.cursor = paging.cursor;
  return request;
}

// ── QueryResponse ───────────────────────────────────────────────────────────

/** Encodes a query response. @throws ProtocolArgumentError (also when over the frame limit) */
export function encodeQueryResponse(response: QueryResponse): Uint8Array {
  argument(QUERY_STATUSES.includes(response.status), '"status" is not a query status');
  const reason = checkReason(response.reason);
  const cursor = checkCursor(response.cursor);
  const resumeCursor = checkCursor(response.resumeCursor);
  argument(response.envelopes.length <= MAX_PAGE_SIZE, `"envelopes" holds over ${MAX_PAGE_SIZE} envelopes`);
  if (response.status !== 'ok') {
    argument(
      response.envelopes.length === 0 && !cursor && !resumeCursor,
      'an error response carries no envelopes or cursor',
    );
  }
  const out = new ProtoWriter();
  for (const envelope of response.envelopes) {
    argument(envelope instanceof Uint8Array, '"envelopes" expected Uint8Arrays');
    argument(
      envelope.length > 0 && envelope.length <= MAX_STORED_ENVELOPE_BYTES,
      `"envelopes" entries must be 1..${MAX_STORED_ENVELOPE_BYTES} bytes`,
    );
    out.bytes(1, envelope);
  }
  if (cursor) {
    const paging = new ProtoWriter();
    paging.bytes(2, cursor);
    out.bytes(2, paging.finish());
  }
  out.tag(3, WIRE_VARINT).varint(statusCode(response.status));
  if (reason) out.bytes(4, reason);
  if (resumeCursor) out.bytes(5, resumeCursor);
  const bytes = out.finish();
  argument(bytes.length <= MAX_QUERY_RESPONSE_BYTES, '"response" is over the frame limit');
  return bytes;
}

/** Decodes a query response. @throws LimitError, ProtocolDecodeError */
export function decodeQueryResponse(bytes: Uint8Array): QueryResponse {
  checkInput('query_response', bytes, MAX_QUERY_RESPONSE_BYTES);
  const envelopes: Uint8Array[] = [];
  let cursor: Uint8Array | undefined;
  let resumeCursor: Uint8Array | undefined;
  let status: QueryStatus | undefined;
  let reason: string | undefined;
  readMessage(
    'query_response',
    bytes,
    {
      1: { wireType: 2, repeated: true },
      2: { wireType: 2 },
      3: { wireType: 0 },
      4: { wireType: 2 },
      5: { wireType: 2 },
    },
    (field) => {
      if (field.number === 1) {
        if (envelopes.length >= MAX_PAGE_SIZE) {
          throw new ProtocolDecodeError(`"query_response" has over ${MAX_PAGE_SIZE} envelopes`);
        }
        if (field.bytes.length === 0 || field.bytes.length > MAX_STORED_ENVELOPE_BYTES) {
          throw new ProtocolDecodeError(
            `"query_response.envelopes" entries must be 1..${MAX_STORED_ENVELOPE_BYTES} bytes`,
          );
        }
        envelopes.push(copyBytes(field.bytes));
      } else if (field.number === 2) {
        cursor = decodePagingInfo('query_response.paging_info', field.bytes).cursor;
      } else if (field.number === 3) {
        status = decodeStatus('query_response.status', field.value, QUERY_STATUSES);
      } else if (field.number === 4) {
        reason = decodeString('query_response.reason', field.bytes, MAX_REASON_BYTES);
      } else {
        resumeCursor = decodeCursorField('query_response.resume_cursor', field.bytes);
      }
    },
  );
  if (status === undefined) throw new ProtocolDecodeError('"query_response" has no status');
  if (status !== 'ok' && (envelopes.length > 0 || cursor || resumeCursor)) {
    throw new ProtocolDecodeError('"query_response" is an error with envelopes or a cursor');
  }
  const response: QueryResponse = { status, envelopes };
  if (cursor) response.cursor = cursor;
  if (resumeCursor) response.resumeCursor = resumeCursor;
  if (reason) response.reason = reason;
  return response;
}

// ── PublishRequest / PublishAck ─────────────────────────────────────────────

/** Encodes a publish request. @throws ProtocolArgumentError */
export function encodePublishRequest(request: PublishRequest): Uint8Array {
  argument(request.envelope instanceof Uint8Array, '"envelope" expected Uint8Array');
  argument(
    request.envelope.length > 0 && request.envelope.length <= MAX_STORED_ENVELOPE_BYTES,
    `"envelope" must be 1..${MAX_STORED_ENVELOPE_BYTES} bytes, got ${request.envelope.length}`,
  );
  const out = new ProtoWriter();
  out.bytes(1, request.envelope);
  return out.finish();
}

/** Decodes a publish request (the envelope itself is not decoded). @throws LimitError, ProtocolDecodeError */
export function decodePublishRequest(bytes: Uint8Array): PublishRequest {
  checkInput('publish_request', bytes, MAX_PUBLISH_REQUEST_BYTES);
  let envelope: Uint8Array | undefined;
  readMessage('publish_request', bytes, { 1: { wireType: 2 } }, (field) => {
    envelope = field.bytes;
  });
  if (!envelope || envelope.length === 0) throw new ProtocolDecodeError('"publish_request" has no envelope');
  assertMaxBytes('publish_request.envelope', envelope, MAX_STORED_ENVELOPE_BYTES);
  return { envelope: copyBytes(envelope) };
}

function encodeAck(status: AckStatus, reasonText: string | undefined, cursorBytes?: Uint8Array): Uint8Array {
  argument(ACK_STATUSES.includes(status), '"status" is not an acknowledgement status');
  const reason = checkReason(reasonText);
  const cursor = checkCursor(cursorBytes);
  const out = new ProtoWriter();
  out.tag(1, WIRE_VARINT).varint(statusCode(status));
  if (reason) out.bytes(2, reason);
  if (cursor) out.bytes(3, cursor);
  return out.finish();
}

function decodeAck(name: string, bytes: Uint8Array, withCursor: boolean): PublishAck {
  checkInput(name, bytes, MAX_ACK_BYTES);
  let status: AckStatus | undefined;
  let reason: string | undefined;
  let cursor: Uint8Array | undefined;
  const fields: Record<number, { wireType: 0 | 2 }> = { 1: { wireType: 0 }, 2: { wireType: 2 } };
  if (withCursor) fields[3] = { wireType: 2 };
  readMessage(name, bytes, fields, (field) => {
    if (field.number === 1) status = decodeStatus(`${name}.status`, field.value, ACK_STATUSES);
    else if (field.number === 2) reason = decodeString(`${name}.reason`, field.bytes, MAX_REASON_BYTES);
    else cursor = decodeCursorField(`${name}.cursor`, field.bytes);
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
  argument(checkCid(request.cid), `"cid" expected 1..${MAX_CID_LENGTH} alphanumeric characters`);
  const out = new ProtoWriter();
  out.bytes(1, encodeUtf8(request.cid));
  return out.finish();
}

/** Decodes a pin request; the CID is only syntax-checked here. @throws LimitError, ProtocolDecodeError */
export function decodePinRequest(bytes: Uint8Array): PinRequest {
  checkInput('pin_request', bytes, MAX_PIN_REQUEST_BYTES);
  let cid: string | undefined;
  readMessage('pin_request', bytes, { 1: { wireType: 2 } }, (field) => {
    cid = decodeString('pin_request.cid', field.bytes, MAX_CID_LENGTH);
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
