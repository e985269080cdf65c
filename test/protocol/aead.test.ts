import { secp256k1 } from '@noble/curves/secp256k1.js';
import { decrypt as xmtpDecrypt, encrypt as xmtpEncrypt } from '@xmtp/xmtp-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aeadDecrypt,
  aeadEncrypt,
  assertMaxBytes,
  DecryptionError,
  fromProtoCiphertext,
  LimitError,
  NATIVE_GCM_MIN_BYTES,
  PreparedPublicKey,
  ProtocolDecodeError,
  recoverPublicKey,
  SignatureError,
  sha256,
  signDigest,
  verifyDigest,
} from '../../src/protocol/index.ts';
import { generateSecretKey, publicKeyOf } from '../../src/protocol/keys.ts';
import { flip } from './helpers.ts';

const secret = Uint8Array.from({ length: 195 }, (_, i) => i);
const aad = new TextEncoder().encode('header bytes');
const plain = new TextEncoder().encode('attack at dawn');

describe('AEAD (HKDF-SHA256 → AES-256-GCM)', () => {
  it('round-trips with 32-byte salt, 12-byte nonce and a 16-byte tag', async () => {
    const ct = await aeadEncrypt(plain, secret, aad);
    expect(ct.hkdfSalt.length).toBe(32);
    expect(ct.gcmNonce.length).toBe(12);
    expect(ct.payload.length).toBe(plain.length + 16);
    expect(await aeadDecrypt(ct, secret, aad)).toEqual(plain);
  });

  it('interoperates with xmtp-js encrypt/decrypt both ways', async () => {
    const ours = await aeadEncrypt(plain, secret, aad);
    expect(Uint8Array.from(await xmtpDecrypt({ aes256GcmHkdfSha256: ours }, secret, aad))).toEqual(plain);
    const theirs = await xmtpEncrypt(plain, secret, aad);
    expect(await aeadDecrypt(fromProtoCiphertext('ciphertext', theirs), secret, aad)).toEqual(plain);
  });

  it('the pure-JS (small) and WebCrypto (large) paths both agree with xmtp-js and detect tampering', async () => {
    for (const size of [
      0,
      1,
      NATIVE_GCM_MIN_BYTES - 17,
      NATIVE_GCM_MIN_BYTES - 16,
      NATIVE_GCM_MIN_BYTES,
      10_240,
    ]) {
      const message = Uint8Array.from({ length: size }, (_, i) => i * 7);
      const ours = await aeadEncrypt(message, secret, aad);
      expect(Uint8Array.from(await xmtpDecrypt({ aes256GcmHkdfSha256: ours }, secret, aad))).toEqual(message);
      const theirs = await xmtpEncrypt(message, secret, aad);
      expect(await aeadDecrypt(fromProtoCiphertext('c', theirs), secret, aad)).toEqual(message);
      const tampered = { ...ours, payload: flip(ours.payload, ours.payload.length - 1) };
      await expect(aeadDecrypt(tampered, secret, aad)).rejects.toBeInstanceOf(DecryptionError);
    }
  });

  it('uses the injected randomness (deterministic for tests)', async () => {
    const zero = (n: number) => new Uint8Array(n);
    const a = await aeadEncrypt(plain, secret, aad, zero);
    const b = await aeadEncrypt(plain, secret, aad, zero);
    expect(a).toEqual(b);
  });

  it('every tampering is one opaque DecryptionError', async () => {
    const ct = await aeadEncrypt(plain, secret, aad);
    const cases = [
      () => aeadDecrypt({ ...ct, payload: flip(ct.payload, 0) }, secret, aad),
      () => aeadDecrypt({ ...ct, payload: flip(ct.payload, ct.payload.length - 1) }, secret, aad),
      () => aeadDecrypt({ ...ct, gcmNonce: flip(ct.gcmNonce, 11) }, secret, aad),
      () => aeadDecrypt({ ...ct, hkdfSalt: flip(ct.hkdfSalt, 0) }, secret, aad),
      () => aeadDecrypt(ct, flip(secret, 100), aad),
      () => aeadDecrypt(ct, secret, flip(aad, 0)),
    ];
    for (const c of cases) {
      const error = await c().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DecryptionError);
      expect((error as Error).message).toBe('Decryption failed');
    }
  });

  it('refuses malformed ciphertext fields', () => {
    const ok = { hkdfSalt: new Uint8Array(32), gcmNonce: new Uint8Array(12), payload: new Uint8Array(16) };
    expect(fromProtoCiphertext('c', { aes256GcmHkdfSha256: ok })).toEqual(ok);
    for (const bad of [
      { ...ok, hkdfSalt: new Uint8Array(31) },
      { ...ok, gcmNonce: new Uint8Array(16) },
      { ...ok, payload: new Uint8Array(15) },
    ]) {
      expect(() => fromProtoCiphertext('c', { aes256GcmHkdfSha256: bad })).toThrow(ProtocolDecodeError);
    }
    expect(() => fromProtoCiphertext('c', {})).toThrow(ProtocolDecodeError);
    expect(() => fromProtoCiphertext('c', undefined)).toThrow(ProtocolDecodeError);
  });
});

describe('secp256k1 signatures', () => {
  it('signs digests without prehashing, recovers and verifies', async () => {
    const sk = generateSecretKey();
    const digest = sha256(new TextEncoder().encode('m'));
    const sig = signDigest(sk, digest);
    expect(sig.bytes.length).toBe(64);
    expect(recoverPublicKey(digest, sig)).toEqual(publicKeyOf(sk));
    expect(verifyDigest(publicKeyOf(sk), digest, sig)).toBe(true);
    expect(verifyDigest(publicKeyOf(sk), flip(digest, 0), sig)).toBe(false);
    // Same as noble with an explicit prehash of the message.
    expect(secp256k1.verify(sig.bytes, new TextEncoder().encode('m'), publicKeyOf(sk))).toBe(true);
  });

  it('produces the RFC 6979 signature noble-curves 2 produces, for any key and digest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (digest) => {
        const sk = generateSecretKey();
        const sig = signDigest(sk, digest);
        const reference = secp256k1.sign(digest, sk, { prehash: false, format: 'recovered' });
        expect([sig.recovery, ...sig.bytes]).toEqual([...reference]);
      }),
      { numRuns: 100 },
    );
  });

  it('PreparedPublicKey.verify agrees with verifyDigest on valid, tampered and foreign signatures', async () => {
    const sk = generateSecretKey();
    const prepared = new PreparedPublicKey(publicKeyOf(sk));
    const other = generateSecretKey();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(63),
        fc.boolean(),
        async (digest, at, foreign) => {
          const sig = signDigest(foreign ? other : sk, digest);
          for (const candidate of [sig, { ...sig, bytes: flip(sig.bytes, at) }]) {
            expect(prepared.verify(digest, candidate)).toBe(verifyDigest(publicKeyOf(sk), digest, candidate));
          }
          expect(prepared.verify(digest, sig)).toBe(!foreign);
        },
      ),
      { numRuns: 200 },
    );
    const digest = sha256(new Uint8Array([2]));
    const sig = signDigest(sk, digest);
    const parsed = secp256k1.Signature.fromBytes(sig.bytes, 'compact');
    const high = new secp256k1.Signature(parsed.r, secp256k1.Point.CURVE().n - parsed.s).toBytes('compact');
    expect(prepared.verify(digest, { bytes: high, recovery: sig.recovery })).toBe(false);
    expect(prepared.verify(digest, { bytes: new Uint8Array(64), recovery: 0 })).toBe(false);
    expect(prepared.verify(digest, { bytes: new Uint8Array(64).fill(0xff), recovery: 0 })).toBe(false);
    expect(prepared.verify(digest.subarray(1), sig)).toBe(false);
  });

  it('refuses high-S signatures and unrecoverable ones', async () => {
    const sk = generateSecretKey();
    const digest = sha256(new Uint8Array([1]));
    const sig = signDigest(sk, digest);
    const parsed = secp256k1.Signature.fromBytes(sig.bytes, 'compact');
    const high = new secp256k1.Signature(parsed.r, secp256k1.Point.CURVE().n - parsed.s).toBytes('compact');
    expect(verifyDigest(publicKeyOf(sk), digest, { bytes: high, recovery: sig.recovery })).toBe(false);
    expect(() => recoverPublicKey(digest, { bytes: new Uint8Array(64), recovery: 0 })).toThrow(
      SignatureError,
    );
  });
});

describe('limits', () => {
  it('assertMaxBytes names the argument', () => {
    expect(() => assertMaxBytes('envelope', new Uint8Array(3), 2)).toThrow(
      '"envelope" is 3 bytes, over the limit of 2',
    );
    expect(() => assertMaxBytes('envelope', new Uint8Array(3), 2)).toThrow(LimitError);
    expect(() => assertMaxBytes('envelope', new Uint8Array(2), 2)).not.toThrow();
  });
});
