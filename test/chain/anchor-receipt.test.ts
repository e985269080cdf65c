import { describe, expect, it } from 'vitest';
import { ManifestDecodeError } from '../../src/chain/anchor-manifest.ts';
import { type BatchReceipt, decodeBatchReceipt, encodeBatchReceipt } from '../../src/chain/anchor-receipt.ts';
import { fuzzDecoder } from '../support/mutation-fuzz.ts';

const receipt: BatchReceipt = {
  root: `0x${'11'.repeat(32)}`,
  batchId: 7n,
  txHash: `0x${'22'.repeat(32)}`,
  blockNumber: 123_456_789_012n,
  blockHash: `0x${'33'.repeat(32)}`,
  manifestCid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
  chainId: 84532n,
  contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
};

describe('batch receipts', () => {
  it('round-trip', () => {
    expect(decodeBatchReceipt(encodeBatchReceipt(receipt))).toEqual(receipt);
  });

  it('refuse missing fields, bad sizes and odd CIDs', () => {
    const bytes = encodeBatchReceipt(receipt);
    expect(() => decodeBatchReceipt(bytes.subarray(0, 34))).toThrow(ManifestDecodeError);
    expect(() => decodeBatchReceipt(new Uint8Array(600))).toThrow(ManifestDecodeError);
    expect(() => decodeBatchReceipt(encodeBatchReceipt({ ...receipt, manifestCid: 'bafy/../x' }))).toThrow(
      ManifestDecodeError,
    );
    expect(() => decodeBatchReceipt(encodeBatchReceipt({ ...receipt, batchId: 0n }))).toThrow(
      ManifestDecodeError,
    );
  });

  it('fuzz: mutated receipts decode or throw ManifestDecodeError, nothing else', () => {
    fuzzDecoder(encodeBatchReceipt(receipt), decodeBatchReceipt, ManifestDecodeError);
  });
});
