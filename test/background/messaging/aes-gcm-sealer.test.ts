/**
 * The at-rest sealer: AES-256-GCM, `nonce (12) ‖ ciphertext ‖ tag (16)`, checked against
 * WebCrypto (an independent implementation) and a fixture that must keep opening forever.
 */
import { hexToBytes } from '@noble/ciphers/utils.js';
import { describe, expect, it } from 'vitest';
import { createAesGcmSealer, SealedDataError } from '../../../src/background/messaging/aes-gcm-sealer';

const KEY = new Uint8Array(32).map((_, i) => i);
const utf8 = new TextEncoder();

/** Sealed with WebCrypto: key 00..1f, nonce a0..ab, plaintext `{"kind":"text","text":"gm"}`. Never change it. */
const FIXTURE_SEALED = hexToBytes(
  'a0a1a2a3a4a5a6a7a8a9aaab9d3a17442baf20854011e2ab7358ecfc04c92164b08d600bf12c5b074c5eab6e0bccc97412e10dc032ffe6',
);
const FIXTURE_PLAIN = '{"kind":"text","text":"gm"}';

async function webCryptoOpen(key: Uint8Array, sealed: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['decrypt']);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.slice(0, 12) },
    cryptoKey,
    sealed.slice(12),
  );
  return new Uint8Array(plain);
}

describe('createAesGcmSealer', () => {
  it('opens the fixture sealed by WebCrypto', async () => {
    const sealer = createAesGcmSealer(KEY);
    expect(new TextDecoder().decode(await sealer.open(FIXTURE_SEALED))).toBe(FIXTURE_PLAIN);
  });

  it('seals to nonce ‖ ciphertext ‖ tag that WebCrypto opens, with a fresh nonce each time', async () => {
    const sealer = createAesGcmSealer(KEY);
    const plain = utf8.encode('hello, cairn');
    const first = await sealer.seal(plain);
    const second = await sealer.seal(plain);
    expect(first.length).toBe(12 + plain.length + 16);
    expect(first.subarray(0, 12)).not.toEqual(second.subarray(0, 12));
    expect(await webCryptoOpen(KEY, first)).toEqual(plain);
    expect(await sealer.open(second)).toEqual(plain);
  });

  it('round-trips empty input', async () => {
    const sealer = createAesGcmSealer(KEY);
    const sealed = await sealer.seal(new Uint8Array());
    expect(sealed.length).toBe(28);
    expect(await sealer.open(sealed)).toEqual(new Uint8Array());
  });

  it('refuses any flipped bit of nonce, ciphertext or tag with one opaque error', async () => {
    const sealer = createAesGcmSealer(KEY);
    const sealed = await sealer.seal(utf8.encode('do not touch'));
    for (const index of [0, 11, 12, sealed.length - 17, sealed.length - 16, sealed.length - 1]) {
      const tampered = sealed.slice();
      tampered[index]! ^= 0x01;
      await expect(sealer.open(tampered)).rejects.toThrow(SealedDataError);
      await expect(sealer.open(tampered)).rejects.toThrow('Sealed data cannot be opened');
    }
  });

  it('refuses input shorter than nonce + tag, and a truncated tag', async () => {
    const sealer = createAesGcmSealer(KEY);
    const sealed = await sealer.seal(utf8.encode('x'));
    for (const short of [new Uint8Array(), new Uint8Array(27), sealed.subarray(0, sealed.length - 1)]) {
      await expect(sealer.open(short)).rejects.toBeInstanceOf(SealedDataError);
    }
  });

  it('refuses data sealed under another key', async () => {
    const other = createAesGcmSealer(new Uint8Array(32).fill(7));
    await expect(other.open(FIXTURE_SEALED)).rejects.toBeInstanceOf(SealedDataError);
  });

  it('takes only a 32-byte key, and keeps its own copy', async () => {
    expect(() => createAesGcmSealer(new Uint8Array(16))).toThrow(
      '"key" expected Uint8Array of length 32, got length=16',
    );
    expect(() => createAesGcmSealer('key' as unknown as Uint8Array)).toThrow(TypeError);
    const key = KEY.slice();
    const sealer = createAesGcmSealer(key);
    key.fill(0);
    expect(new TextDecoder().decode(await sealer.open(FIXTURE_SEALED))).toBe(FIXTURE_PLAIN);
  });
});
