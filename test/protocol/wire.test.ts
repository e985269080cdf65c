/** The guarded protobuf helpers: private copies, owned input, limits and the canonical check. */
import { content } from '@xmtp/proto';
import { describe, expect, it } from 'vitest';
import { LimitError, ProtocolDecodeError } from '../../src/protocol/errors.ts';
import { decodeOwnedProto, decodeProto, encodeProto, encodesTo } from '../../src/protocol/wire.ts';

const encoded = () =>
  encodeProto(content.EncodedContent, {
    type: { authorityId: 'xmtp.org', typeId: 'text', versionMajor: 1, versionMinor: 0 },
    parameters: {},
    content: Uint8Array.of(1, 2, 3),
  });

describe('wire', () => {
  it('decodeProto decodes a private copy: changing the input later changes nothing', () => {
    const bytes = encoded();
    const decoded = decodeProto('c', content.EncodedContent, bytes);
    bytes.fill(0);
    expect([...decoded.content]).toEqual([1, 2, 3]);
  });

  it('decodeOwnedProto decodes in place, with the same limits and errors', () => {
    const bytes = encoded();
    const decoded = decodeOwnedProto('c', content.EncodedContent, bytes);
    expect([...decoded.content]).toEqual([1, 2, 3]);
    expect(decoded.content.buffer).toBe(bytes.buffer);
    expect(() => decodeOwnedProto('c', content.EncodedContent, bytes, bytes.length - 1)).toThrow(LimitError);
    expect(() => decodeProto('c', content.EncodedContent, bytes, bytes.length - 1)).toThrow(LimitError);
    const truncated = bytes.subarray(0, bytes.length - 1);
    expect(() => decodeOwnedProto('c', content.EncodedContent, truncated)).toThrow(ProtocolDecodeError);
    expect(() => decodeProto('c', content.EncodedContent, truncated)).toThrow(ProtocolDecodeError);
  });

  it('encodesTo holds for the canonical encoding only', () => {
    const bytes = encoded();
    const decoded = decodeProto('c', content.EncodedContent, bytes);
    expect(encodesTo(content.EncodedContent, decoded, bytes)).toBe(true);
    // The same fields with an unknown one appended decode alike but are not canonical.
    const padded = Uint8Array.of(...bytes, 0x78, 0x01);
    const fromPadded = decodeProto('c', content.EncodedContent, padded);
    expect(encodesTo(content.EncodedContent, fromPadded, padded)).toBe(false);
  });
});
