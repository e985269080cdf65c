/**
 * Property-based fuzzing (fast-check) of every decoder of the content layer: ≥ 10,000 mutated inputs each.
 * A decoder may return or throw a `ContentError`; any other exception, or a hang, fails the test.
 */
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { content as proto } from '@xmtp/proto';
import { describe, expect, test } from 'vitest';
import {
  ContentTypeAttachment,
  ContentTypeReaction,
  ContentTypeRemoteAttachment,
  ContentTypeReply,
  ContentTypeText,
  decodeEncodedContent,
  decryptAttachment,
  encryptPayload,
  inflateGzip,
  inflateRaw,
  inflateZlib,
  parseIpfsUrl,
  defaultContentRegistry as registry,
} from '../../../src/protocol/content/index.ts';
import { fixtures, fuzz, hexToBytes } from './helpers.ts';

const RUNS = 10_000;
const TIMEOUT = 30_000;
const utf8 = (s: string) => new TextEncoder().encode(s);
const payloads = (prefix: string) =>
  fixtures.cases.filter((c) => c.name.startsWith(prefix)).map((c) => hexToBytes(c.payloadHex));
const allPayloads = fixtures.cases.map((c) => hexToBytes(c.payloadHex));

describe(`fuzzing: ${RUNS} mutated inputs per decoder`, () => {
  test('the harness fails on any error that is not a ContentError', () => {
    expect(() =>
      fuzz(
        [utf8('x')],
        () => {
          throw new TypeError('boom');
        },
        10,
      ),
    ).toThrow(/Property failed/);
  });

  test('decodeEncodedContent', { timeout: TIMEOUT }, () => {
    fuzz(allPayloads, (input) => decodeEncodedContent(input));
  });

  for (const prefix of ['text', 'reply', 'reaction', 'read-receipt', 'remote-attachment', 'unknown']) {
    test(`registry.decode of ${prefix} payloads`, { timeout: TIMEOUT }, () => {
      fuzz(payloads(prefix), (input) => registry.decode(input));
    });
  }

  // Mutating only the body keeps the protobuf framing valid, so the codec's own decoder is what is fuzzed.
  const bodyFuzz: [
    string,
    Parameters<typeof proto.EncodedContent.encode>[0]['type'],
    Record<string, string>,
    Uint8Array[],
  ][] = [
    ['text body', ContentTypeText, { encoding: 'UTF-8' }, [utf8('gm'), utf8('Hello, Cairn 👋 — ünïcödé ✓')]],
    [
      'reaction body (JSON)',
      ContentTypeReaction,
      { action: 'added', reference: 'ab', schema: 'unicode' },
      [
        utf8('{"action":"added","reference":"ab","referenceInboxId":"i","schema":"unicode","content":"❤️"}'),
        utf8('🔥'),
      ],
    ],
    [
      'reply body (nested EncodedContent)',
      ContentTypeReply,
      { contentType: 'xmtp.org/text:1.0', reference: 'ab' },
      fixtures.cases
        .filter((c) => c.name.startsWith('reply'))
        .map((c) => proto.EncodedContent.decode(hexToBytes(c.payloadHex)).content.slice()),
    ],
    [
      'remote attachment URL',
      ContentTypeRemoteAttachment,
      proto.EncodedContent.decode(payloads('remote-attachment-cidv1')[0]!).parameters,
      [
        utf8('ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'),
        utf8('ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'),
      ],
    ],
    [
      'attachment body',
      ContentTypeAttachment,
      { filename: 'a.txt', mimeType: 'text/plain' },
      [utf8('hello, ipfs')],
    ],
  ];
  for (const [name, type, parameters, seeds] of bodyFuzz) {
    test(`codec decode of a mutated ${name}`, { timeout: TIMEOUT }, () => {
      fuzz(seeds, (body) =>
        registry.decode(proto.EncodedContent.encode({ type, parameters, content: body }).finish()),
      );
    });
  }

  test('compressed content through registry.decode (deflate and gzip)', { timeout: TIMEOUT }, () => {
    const text = utf8('Cairn is a wallet-messenger. '.repeat(30));
    const seeds = [deflateSync(text), gzipSync(text)].map((content, compression) =>
      proto.EncodedContent.encode({
        type: ContentTypeText,
        parameters: { encoding: 'UTF-8' },
        compression,
        content,
      }).finish(),
    );
    fuzz(seeds, (input) => registry.decode(input));
  });

  const compressedSeeds = (wrap: (data: Uint8Array, options?: object) => Uint8Array) => [
    wrap(utf8('the quick brown fox jumps over the lazy dog '.repeat(20))),
    wrap(utf8('aaaaaaaaaabbbbbbbbbb'.repeat(50)), { strategy: 4 }),
    wrap(new Uint8Array(5000)),
    wrap(new Uint8Array(100), { level: 0 }),
  ];

  test('inflateRaw', { timeout: TIMEOUT }, () => {
    fuzz(compressedSeeds(deflateRawSync), (input) => inflateRaw(input, 64 * 1024));
  });

  test('inflateZlib', { timeout: TIMEOUT }, () => {
    fuzz(compressedSeeds(deflateSync), (input) => inflateZlib(input, 64 * 1024));
  });

  test('inflateGzip', { timeout: TIMEOUT }, () => {
    fuzz(compressedSeeds(gzipSync), (input) => inflateGzip(input, 64 * 1024));
  });

  test('decryptAttachment (mutated payloads; mutated plaintexts sealed under a fresh digest)', {
    timeout: TIMEOUT,
  }, () => {
    const e = fixtures.encryptedAttachment;
    const keys = {
      secret: hexToBytes(e.secret.hex),
      salt: hexToBytes(e.salt.hex),
      nonce: hexToBytes(e.nonce.hex),
    };
    const payload = hexToBytes(e.payload.hex);
    let decrypted = 0;
    fuzz([payload], (input) => decryptAttachment({ ...keys, contentDigest: e.contentDigest }, input));
    // Plaintexts mutated before encryption: decryption succeeds, the attachment decoder gets garbage.
    fuzz([hexToBytes(e.attachmentEncodedHex)], (plain) => {
      const sealed = encryptPayload(plain, keys.secret, keys.salt, keys.nonce);
      const out = decryptAttachment({ ...keys, contentDigest: sealed.contentDigest }, sealed.payload);
      decrypted++;
      return out;
    });
    expect(decrypted).toBeGreaterThan(100);
  });

  test('parseIpfsUrl', { timeout: TIMEOUT }, () => {
    const seeds = [
      utf8('ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'),
      utf8('ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'),
    ];
    fuzz(seeds, (input) => parseIpfsUrl(Buffer.from(input).toString('latin1')));
  });
});
