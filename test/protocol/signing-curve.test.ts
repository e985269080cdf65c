/**
 * The signing curve is viem's own copy of noble-curves (one copy in the bundle, one table for the
 * account's and the messenger's signatures), and the large generator table changes no signature.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { toHex } from 'viem';
import { sign as viemSign } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { generateSecretKey, signDigest } from '../../src/protocol/keys.ts';
import { buildSigningTable, isSigningTableBuilt, signingCurve } from '../../src/protocol/signing-curve.ts';

const require = createRequire(import.meta.url);

async function agreesWithViemAndNoble2(digest: Uint8Array): Promise<void> {
  const secretKey = generateSecretKey();
  const signature = signDigest(secretKey, digest);
  const reference = secp256k1.sign(digest, secretKey, { prehash: false, format: 'recovered' });
  expect([signature.recovery, ...signature.bytes]).toEqual([...reference]);
  const viemBytes = await viemSign({ hash: toHex(digest), privateKey: toHex(secretKey), to: 'bytes' });
  expect([...signature.bytes, signature.recovery + 27]).toEqual([...viemBytes]);
}

describe('signing curve', () => {
  it('is the noble-curves copy that viem itself resolves', () => {
    const viemPackage = require.resolve('viem/package.json');
    const viemNoble = dirname(createRequire(viemPackage).resolve('@noble/curves/secp256k1'));
    const ours = fileURLToPath(
      new URL('../../node_modules/viem/node_modules/@noble/curves', import.meta.url),
    );
    expect(realpathSync(viemNoble)).toBe(realpathSync(ours));
    expect(signingCurve.CURVE.n).toBe(secp256k1.Point.CURVE().n);
  });

  it('signs as viem and noble-curves 2 do, before and after the large table is built', async () => {
    const digests = fc.uint8Array({ minLength: 32, maxLength: 32 });
    await fc.assert(fc.asyncProperty(digests, agreesWithViemAndNoble2), { numRuns: 50 });
    expect(isSigningTableBuilt()).toBe(false);
    buildSigningTable();
    buildSigningTable();
    expect(isSigningTableBuilt()).toBe(true);
    await fc.assert(fc.asyncProperty(digests, agreesWithViemAndNoble2), { numRuns: 50 });
    // Edge digests: zero and all-ones (reduced mod n by RFC 6979's bits2int).
    await agreesWithViemAndNoble2(new Uint8Array(32));
    await agreesWithViemAndNoble2(new Uint8Array(32).fill(0xff));
    // viem derives account addresses on this curve too.
    for (let i = 0; i < 20; i++) {
      const secretKey = generateSecretKey();
      expect(signingCurve.getPublicKey(secretKey, false)).toEqual(secp256k1.getPublicKey(secretKey, false));
    }
  });
});
