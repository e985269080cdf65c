/**
 * An aggregator's receipt for an anchored batch, gossiped (src/p2p/anchor-topics.ts) once the
 * anchoring transaction is confirmed. It is a hint, not trusted: a client checks the root on chain
 * (`Anchor.anchoredAt`) and the manifest against the root before it shows anything "anchored".
 *
 *   message AnchorReceipt {
 *     bytes root = 1;            // 32 bytes
 *     uint64 batch_id = 2;
 *     bytes tx_hash = 3;         // 32 bytes
 *     uint64 block_number = 4;
 *     bytes block_hash = 5;      // 32 bytes
 *     string manifest_cid = 6;
 *     uint64 chain_id = 7;
 *     bytes contract = 8;        // 20 bytes
 *   }
 */
import { type Address, bytesToHex, getAddress, type Hex, hexToBytes } from 'viem';
import { ProtoReader, ProtoWriter, WIRE_BYTES, WIRE_VARINT } from '../protocol/protobuf.ts';
import { ManifestDecodeError } from './anchor-manifest.ts';

export const MAX_RECEIPT_BYTES = 512;
const MAX_CID_CHARS = 128;

export interface BatchReceipt {
  root: Hex;
  batchId: bigint;
  txHash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  manifestCid: string;
  chainId: bigint;
  contract: Address;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function encodeBatchReceipt(receipt: BatchReceipt): Uint8Array {
  const out = new ProtoWriter();
  out.bytes(1, hexToBytes(receipt.root, { size: 32 }));
  out.tag(2, WIRE_VARINT).uint64(receipt.batchId);
  out.bytes(3, hexToBytes(receipt.txHash, { size: 32 }));
  out.tag(4, WIRE_VARINT).uint64(receipt.blockNumber);
  out.bytes(5, hexToBytes(receipt.blockHash, { size: 32 }));
  out.bytes(6, utf8.encode(receipt.manifestCid));
  out.tag(7, WIRE_VARINT).uint64(receipt.chainId);
  out.bytes(8, hexToBytes(receipt.contract, { size: 20 }));
  return out.finish();
}

/** @throws ManifestDecodeError */
export function decodeBatchReceipt(bytes: Uint8Array): BatchReceipt {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_RECEIPT_BYTES) {
    throw new ManifestDecodeError('receipt is too large');
  }
  const reader = new ProtoReader(bytes, 'anchor_receipt', ManifestDecodeError);
  const fixed = new Map<number, Uint8Array>();
  const numbers = new Map<number, bigint>();
  let manifestCid: string | undefined;
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1 || field === 3 || field === 5 || field === 8) {
      reader.expectWire(field, wire, WIRE_BYTES);
      if (fixed.has(field)) reader.fail(`repeats field ${field}`);
      fixed.set(field, reader.lengthDelimited().slice());
    } else if (field === 2 || field === 4 || field === 7) {
      reader.expectWire(field, wire, WIRE_VARINT);
      numbers.set(field, reader.uint64());
    } else if (field === 6) {
      reader.expectWire(field, wire, WIRE_BYTES);
      const raw = reader.lengthDelimited();
      if (raw.length === 0 || raw.length > MAX_CID_CHARS) reader.fail('has a bad manifest CID');
      const text = (() => {
        try {
          return utf8Strict.decode(raw);
        } catch {
          return reader.fail('has a manifest CID that is not UTF-8');
        }
      })();
      if (!/^[A-Za-z0-9]+$/.test(text)) reader.fail('has a bad manifest CID');
      manifestCid = text;
    } else {
      reader.skip(wire);
    }
  }
  const bytes32 = (field: number) => {
    const value = fixed.get(field);
    if (value?.length !== 32)
      throw new ManifestDecodeError(`"anchor_receipt" field ${field} must be 32 bytes`);
    return bytesToHex(value);
  };
  const contract = fixed.get(8);
  if (contract?.length !== 20) throw new ManifestDecodeError('"anchor_receipt" needs a 20-byte contract');
  if (manifestCid === undefined) throw new ManifestDecodeError('"anchor_receipt" needs a manifest CID');
  const batchId = numbers.get(2) ?? 0n;
  const chainId = numbers.get(7) ?? 0n;
  if (batchId === 0n || chainId === 0n)
    throw new ManifestDecodeError('"anchor_receipt" needs a batch id and chain id');
  return {
    root: bytes32(1),
    batchId,
    txHash: bytes32(3),
    blockNumber: numbers.get(4) ?? 0n,
    blockHash: bytes32(5),
    manifestCid,
    chainId,
    contract: getAddress(bytesToHex(contract)),
  };
}
