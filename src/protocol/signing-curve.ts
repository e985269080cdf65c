/**
 * The secp256k1 instance that signs pre-key messages and key bundles: @noble/curves 1.9, the
 * copy viem depends on and signs the account's transactions and messages with. Imported by path
 * because viem does not re-export it; the same file means one copy in the bundle and one
 * generator table for both. noble-curves 2 (ours) blinds the scalar and the nonce inversion and
 * signs in ≈ 385 µs against ≈ 285 µs here (≈ 235 µs with the large table); RFC 6979 makes the
 * signatures identical either way (known-answer tests, and test/protocol/signing-curve.test.ts
 * checks them against viem and noble-curves 2).
 */
import { secp256k1 as viemSecp256k1 } from '../../node_modules/viem/node_modules/@noble/curves/esm/secp256k1.js';

export const signingCurve = viemSecp256k1;

/**
 * Window of the generator table built by `buildSigningTable`. Most of a signature is k·G:
 * measured in Node 24 on one core, a sign costs ≈ 285 µs with noble's default window (8: 34 ms
 * to build, 0.6 MB), ≈ 245 µs at 11 (154 ms, 2.8 MB) and ≈ 235 µs at 12 (≈ 250 ms, 5 MB).
 * Tried and left: the same curve without the GLV endomorphism signs ~10 µs faster but needs twice
 * the table (9.5 MB, 450 ms at 12).
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
