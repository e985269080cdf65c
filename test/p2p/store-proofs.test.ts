import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  decodeProofRequest,
  decodeProofResponse,
  encodeProofRequest,
  encodeProofResponse,
  MAX_PROOF_IDS,
  type ProofResponse,
} from '../../src/p2p/store-proofs.ts';
import { ProtocolArgumentError, ProtocolError } from '../../src/protocol/errors.ts';
import { fuzzDecoder } from '../support/mutation-fuzz.ts';

const id = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;

const response: ProofResponse = {
  status: 'ok',
  proofs: [
    { messageId: id(1), state: 'unknown' },
    { messageId: id(2), state: 'pending', contentTopic: '/xmtp/0/m-a/proto' },
    {
      messageId: id(3),
      state: 'anchored',
      contentTopic: '/xmtp/0/m-b/proto',
      anchored: {
        root: id(9),
        proof: [id(10), id(11)],
        batchId: 4n,
        txHash: id(12),
        blockNumber: 77n,
        manifestCid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
        chainId: 31337n,
        contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      },
    },
  ],
};

describe('proof protocol codecs', () => {
  it('round-trip requests and responses', () => {
    expect(decodeProofRequest(encodeProofRequest([id(1), id(2)]))).toEqual([id(1), id(2)]);
    expect(decodeProofResponse(encodeProofResponse(response))).toEqual(response);
    expect(decodeProofResponse(encodeProofResponse({ status: 'rate_limited', proofs: [] }))).toEqual({
      status: 'rate_limited',
      proofs: [],
    });
  });

  it('refuse empty or oversized requests and malformed ids', () => {
    expect(() => encodeProofRequest([])).toThrow(ProtocolArgumentError);
    expect(() => encodeProofRequest(Array.from({ length: MAX_PROOF_IDS + 1 }, (_, i) => id(i)))).toThrow(
      ProtocolArgumentError,
    );
    expect(() => decodeProofRequest(new Uint8Array())).toThrow(ProtocolError);
    expect(() => decodeProofRequest(Uint8Array.from([0x0a, 0x02, 1, 2]))).toThrow(ProtocolError);
  });

  it('fuzz: mutated responses decode or throw a ProtocolError, nothing else', () => {
    fuzzDecoder(encodeProofResponse(response), decodeProofResponse, ProtocolError);
  });
});
