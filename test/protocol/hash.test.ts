/** The async (native for large inputs) hashing paths give exactly the synchronous results. */
import { describe, expect, it } from 'vitest';
import {
  Conversation,
  decodeMessageV2,
  decodeMessageV2Async,
  decodeMessageV2Hashing,
  NATIVE_SHA256_MIN_BYTES,
  ProtocolDecodeError,
  sha256,
  sha256Async,
} from '../../src/protocol/index.ts';
import { cairnIdentity, nowNs } from './helpers.ts';

describe('sha256Async', () => {
  it('equals sha256 on both sides of the native threshold', async () => {
    for (const size of [0, 1, 100, NATIVE_SHA256_MIN_BYTES - 1, NATIVE_SHA256_MIN_BYTES, 10 * 1024 + 7]) {
      const bytes = crypto.getRandomValues(new Uint8Array(size));
      expect(await sha256Async(bytes)).toEqual(sha256(bytes));
    }
  });
});

describe('decodeMessageV2Async', () => {
  it('decodes small and large messages exactly as decodeMessageV2', async () => {
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const { conversation } = await Conversation.start({
      me: a.keys,
      myAddress: a.address,
      peer: b.bundle,
      createdNs: nowNs(),
    });
    for (const size of [100, 10 * 1024]) {
      const sent = await conversation.send(crypto.getRandomValues(new Uint8Array(size)));
      const decoded = await decodeMessageV2Async(sent.bytes);
      expect(decoded).toEqual(decodeMessageV2(sent.bytes));
      expect(decoded.id).toBe(sent.id);
      const { message, hashes } = decodeMessageV2Hashing(sent.bytes);
      const { id, dedupeKey, ...rest } = decodeMessageV2(sent.bytes);
      expect(message).toEqual(rest);
      expect(await hashes).toEqual({ id, dedupeKey });
    }
  });

  it('decodeMessageV2Hashing checks the bytes before hashing: bad input throws at once', () => {
    expect(() => decodeMessageV2Hashing(new Uint8Array([0x12, 0x01]))).toThrow(ProtocolDecodeError);
  });
});
