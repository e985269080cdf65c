/**
 * Limits, status tables and strict field helpers shared by the store protocol codecs
 * (`store-protocol.ts` for queries, `store-acks.ts` for publish and pin). Re-exported from
 * `store-protocol.ts`; import from there.
 */
import { copyBytes } from '../protocol/bytes.ts';
import { MAX_ENCODED_ENVELOPE_BYTES } from '../protocol/envelope.ts';
import { ProtocolArgumentError, ProtocolDecodeError } from '../protocol/errors.ts';
import { assertMaxBytes } from '../protocol/limits.ts';
import { decodeUtf8, encodeUtf8, ProtoReader, WIRE_VARINT } from '../protocol/protobuf.ts';

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

/** Wire values of `Status`: the index in this list plus one (0 is unspecified). */
const STATUS_ORDER: readonly StoreStatus[] = [
  'ok',
  'stored',
  'duplicate',
  'rejected',
  'rate_limited',
  'failed',
];
export const ACK_STATUSES: readonly AckStatus[] = [
  'stored',
  'duplicate',
  'rejected',
  'rate_limited',
  'failed',
];
export const QUERY_STATUSES: readonly QueryStatus[] = ['ok', 'rejected', 'rate_limited', 'failed'];

export function statusCode(status: StoreStatus): number {
  return STATUS_ORDER.indexOf(status) + 1;
}

export const UINT32_MAX = 0xffff_ffff;
const EMPTY = new Uint8Array(0);

export function argument(condition: boolean, message: string): void {
  if (!condition) throw new ProtocolArgumentError(message);
}

export function checkReason(reason: string | undefined): Uint8Array | undefined {
  if (reason === undefined || reason.length === 0) return undefined;
  const bytes = encodeUtf8(reason);
  argument(bytes.length <= MAX_REASON_BYTES, `"reason" is over ${MAX_REASON_BYTES} bytes`);
  return bytes;
}

export function checkCursor(cursor: Uint8Array | undefined): Uint8Array | undefined {
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
export function readMessage(
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

export function decodeString(name: string, bytes: Uint8Array, maxBytes: number): string {
  if (bytes.length > maxBytes) throw new ProtocolDecodeError(`"${name}" is over ${maxBytes} bytes`);
  return decodeUtf8(bytes, name);
}

export function decodeCursorField(name: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0 || bytes.length > MAX_CURSOR_BYTES) {
    throw new ProtocolDecodeError(`"${name}" must be 1..${MAX_CURSOR_BYTES} bytes`);
  }
  return copyBytes(bytes);
}

export function decodeStatus<T extends StoreStatus>(name: string, value: number, allowed: readonly T[]): T {
  const named = STATUS_ORDER[value - 1];
  const status = allowed.find((candidate) => candidate === named);
  if (status === undefined) throw new ProtocolDecodeError(`"${name}" has an invalid status ${value}`);
  return status;
}

export function checkInput(name: string, bytes: Uint8Array, max: number): void {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolArgumentError(`"${name}" expected Uint8Array`);
  assertMaxBytes(name, bytes, max);
}
