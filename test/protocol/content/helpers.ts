/** Shared helpers of the content tests: fixtures, hex, and a fast-check byte mutator. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { ContentError } from '../../../src/protocol/content/index.ts';

export const hexToBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
export const bytesToHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export type FixtureCase = {
  name: string;
  input?: Record<string, unknown>;
  contentType?: string;
  compression?: number;
  payloadHex: string;
  shouldPush?: boolean;
  fallback?: string;
  xmtpDecoded?: { content: unknown; fallback?: string };
};

export type Fixtures = {
  cases: FixtureCase[];
  encryptedAttachment: {
    attachment: { filename: string; mimeType: string; data: { hex: string } };
    attachmentEncodedHex: string;
    payload: { hex: string };
    secret: { hex: string };
    salt: { hex: string };
    nonce: { hex: string };
    contentDigest: string;
  };
};

export const fixtures: Fixtures = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/xmtp-content.json'), 'utf8'),
);

export function fixture(name: string): FixtureCase {
  const found = fixtures.cases.find((c) => c.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found;
}

/** `{ hex }` objects of the fixtures → Uint8Array, recursively. */
export function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === 'hex' && typeof entries[0]![1] === 'string') {
      return hexToBytes(entries[0]![1]);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

function applyMutation(input: Uint8Array, m: Mutation): Uint8Array {
  const n = input.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  switch (m.op) {
    case 'flip': {
      if (n === 0) return input;
      const out = input.slice();
      out[m.at % n]! ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return input;
      const out = input.slice();
      out[m.at % n] = m.value;
      return out;
    }
    case 'insert':
      return Uint8Array.from([...input.subarray(0, at), ...m.bytes, ...input.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...input.subarray(0, at), ...input.subarray(at + m.length)]);
    case 'truncate':
      return input.slice(0, at);
    case 'duplicate': {
      const slice = input.subarray(at, at + m.length);
      return Uint8Array.from([
        ...input.subarray(0, at),
        ...slice,
        ...slice,
        ...input.subarray(at + m.length),
      ]);
    }
  }
}

/** Inputs derived from `seeds` by 1–4 random mutations, plus some fully random byte strings. */
export function mutatedInputs(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([i, ms]) => ms.reduce(applyMutation, seeds[i]!));
  return fc.oneof(
    { weight: 9, arbitrary: mutated },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
  );
}

/** Runs `decode` on ≥ `numRuns` mutated inputs: it may return or throw a ContentError, nothing else. */
export function fuzz(
  seeds: readonly Uint8Array[],
  decode: (input: Uint8Array) => unknown,
  numRuns = 10_000,
): { ok: number; refused: number } {
  const counts = { ok: 0, refused: 0 };
  fc.assert(
    fc.property(mutatedInputs(seeds), (input) => {
      try {
        decode(input);
        counts.ok++;
      } catch (error) {
        if (!(error instanceof ContentError)) throw error;
        counts.refused++;
      }
    }),
    { numRuns },
  );
  expect(counts.ok + counts.refused).toBeGreaterThanOrEqual(numRuns);
  return counts;
}
