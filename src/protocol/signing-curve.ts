/**
 * The secp256k1 instance that signs pre-key messages and key bundles: @noble/curves 1.9, the
 * copy viem depends on (imported by path because viem does not re-export it, so the bundle keeps
 * one copy), set up without the GLV endomorphism, and with a large generator table once
 * `buildSigningTable` ran. noble-curves 2 (ours) blinds the scalar and the nonce inversion and
 * signs in ≈ 385 µs; viem's own instance in ≈ 285 µs; this one in ≈ 215 µs with the table. RFC
 * 6979 makes the signatures identical in all three (known-answer tests, and
 * test/protocol/signing-curve.test.ts checks them against viem and noble-curves 2).
 */
import { createCurve } from '../../node_modules/viem/node_modules/@noble/curves/esm/_shortw_utils.js';
import { secp256k1 as viemSecp256k1 } from '../../node_modules/viem/node_modules/@noble/curves/esm/secp256k1.js';

const { a, b, Fp, n, Gx, Gy, h, hash } = viemSecp256k1.CURVE;

/**
 * Without the endomorphism, noble 1.9's constant-time `multiply` runs one window walk over the
 * whole scalar instead of one per half-scalar: ≈ 5–8% faster signatures (measured in Node 24).
 */
export const signingCurve = createCurve({ a, b, Fp, n, Gx, Gy, h, lowS: true }, hash);

/**
 * Window of the generator table built by `buildSigningTable`. Most of a signature is k·G:
 * measured in Node 24 on one core, a sign costs ≈ 270 µs with noble's default window (8: 34 ms to
 * build, 0.6 MB), ≈ 240 µs at 10 and ≈ 215 µs at 12 (≈ 250 ms, 5 MB); 13 saves ~10 µs more for
 * 430 ms and 9 MB.
 */
export const SIGNING_TABLE_WINDOW = 12;

let signingTableBuilt = false;

/** True once `buildSigningTable` ran in this context. */
export function isSigningTableBuilt(): boolean {
  return signingTableBuilt;
}

/**
 * Builds the large generator table once per context (a few hundred ms of blocked thread). The
 * background calls it in a quiet moment after unlock, so no message send pays for it; before
 * it, signing uses noble's default table. The table holds only multiples of G: no secret.
 */
export function buildSigningTable(): void {
  if (signingTableBuilt) return;
  signingTableBuilt = true;
  signingCurve.utils.precompute(SIGNING_TABLE_WINDOW);
}
