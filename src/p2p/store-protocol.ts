/**
 * Cairn store protocol: request/response streams between a client and a relay that keeps
 * message-API envelopes (query history, publish with an acknowledgement, pin a blob).
 *
 * Frames are length-prefixed (an unsigned-varint length, then a protobuf message). Query and
 * pin: one stream per request; the client writes one frame, closes its write side, and reads one
 * frame back. Publish: a stream carries one or more request/ack pairs, in order (the client
 * writes a frame and reads its ack before the next); the client closes it when done, and the
 * relay closes one left idle (`PUBLISH_IDLE_MS` there). A one-shot client works unchanged.
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
 *
 * This module holds the ids, message types and query codecs; the publish and pin codecs live in
 * `store-acks.ts`, the limits and shared field helpers in `store-wire.ts`. All are re-exported here.
 */
import { copyBytes } from '../protocol/bytes.ts';
import { ProtocolDecodeError } from '../protocol/errors.ts';
import { MAX_TOPIC_LENGTH } from '../protocol/limits.ts';
import { encodeUtf8, ProtoWriter, WIRE_VARINT } from '../protocol/protobuf.ts';
import {
  type AckStatus,
  argument,
  checkCursor,
  checkInput,
  checkReason,
  decodeCursorField,
  decodeStatus,
  decodeString,
  MAX_PAGE_SIZE,
  MAX_QUERY_REQUEST_BYTES,
  MAX_QUERY_RESPONSE_BYTES,
  MAX_QUERY_TOPICS,
  MAX_REASON_BYTES,
  MAX_STORED_ENVELOPE_BYTES,
  QUERY_STATUSES,
  type QueryStatus,
  readMessage,
  type SortDirection,
  statusCode,
  UINT32_MAX,
} from './store-wire.ts';

export {
  decodePinAck,
  decodePinRequest,
  decodePublishAck,
  decodePublishRequest,
  encodePinAck,
  encodePinRequest,
  encodePublishAck,
  encodePublishRequest,
} from './store-acks.ts';
export type { AckStatus, QueryStatus, SortDirection, StoreStatus } from './store-wire.ts';
export {
  MAX_ACK_BYTES,
  MAX_CID_LENGTH,
  MAX_CURSOR_BYTES,
  MAX_PAGE_SIZE,
  MAX_PIN_REQUEST_BYTES,
  MAX_PUBLISH_REQUEST_BYTES,
  MAX_QUERY_PAGE_ENVELOPE_BYTES,
  MAX_QUERY_REQUEST_BYTES,
  MAX_QUERY_RESPONSE_BYTES,
  MAX_QUERY_TOPICS,
  MAX_REASON_BYTES,
  MAX_STORED_ENVELOPE_BYTES,
  QUERY_RESPONSE_OVERHEAD_BYTES,
} from './store-wire.ts';

export const STORE_QUERY_PROTOCOL = '/cairn/store/1/query';
export const STORE_PUBLISH_PROTOCOL = '/cairn/store/1/publish';
export const STORE_PIN_PROTOCOL = '/cairn/store/1/pin';

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
