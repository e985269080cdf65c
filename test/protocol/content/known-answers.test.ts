/**
 * Known-answer tests against the fixtures generated with xmtp-js 13 and the @xmtp/content-type-* packages
 * (fixtures/generate.gen.ts): Cairn encodes the same bytes and decodes them to the same content.
 */
import { TextCodec } from '@xmtp/content-type-text';
import { Client, Compression as XmtpCompression } from '@xmtp/xmtp-js';
import { describe, expect, test } from 'vitest';
import { fflateCompressor } from '../../../src/protocol/content/fflate-compressor.ts';
import {
  AttachmentDecryptionError,
  Compression,
  type Content,
  ContentCodecError,
  ContentCompressionError,
  contentTypeToString,
  createContentRegistry,
  decryptAttachment,
  encryptAttachment,
  encryptPayload,
  defaultContentRegistry as registry,
} from '../../../src/protocol/content/index.ts';
import { bytesToHex, fixture, fixtures, hexToBytes, revive } from './helpers.ts';

const encodingCases = fixtures.cases.filter(
  (c) => c.input !== undefined && c.name !== 'remote-attachment-https',
);

describe('known answers from xmtp-js', () => {
  test.each(encodingCases.filter((c) => c.compression === undefined))(
    '$name: Cairn encodes the same bytes',
    (c) => {
      const content = revive(c.input) as Content;
      const { payload, shouldPush } = registry.encode(content);
      expect(bytesToHex(payload)).toBe(c.payloadHex);
      expect(shouldPush).toBe(c.shouldPush);
    },
  );

  test.each(encodingCases)('$name: Cairn decodes the xmtp-js bytes', (c) => {
    const decoded = registry.decode(hexToBytes(c.payloadHex));
    expect(contentTypeToString(decoded.contentType)).toBe(c.contentType);
    expect(decoded.content).toEqual(revive(c.input));
    expect(decoded.fallback).toBe(c.xmtpDecoded?.fallback);
  });

  test('compressed text (CompressionStream deflate and gzip) decodes', () => {
    for (const name of ['text-deflate', 'text-gzip']) {
      const c = fixture(name);
      expect(registry.decode(hexToBytes(c.payloadHex)).content).toEqual({
        kind: 'text',
        text: c.xmtpDecoded?.content,
      });
    }
  });

  test('the default registry refuses to compress: it ships no deflater', () => {
    expect(() =>
      registry.encode({ kind: 'text', text: 'x'.repeat(100) }, { compression: Compression.gzip }),
    ).toThrow(ContentCompressionError);
  });

  test('Cairn-compressed text decodes in xmtp-js 13', async () => {
    const compressing = createContentRegistry({ compressor: fflateCompressor });
    const text = 'Cairn is a wallet-messenger. '.repeat(30);
    const xmtp = { codecFor: () => new TextCodec() };
    for (const [compression, xmtpCompression] of [
      [Compression.deflate, XmtpCompression.COMPRESSION_DEFLATE],
      [Compression.gzip, XmtpCompression.COMPRESSION_GZIP],
    ] as const) {
      const { payload, encoded } = compressing.encode({ kind: 'text', text }, { compression });
      expect(encoded.compression).toBe(xmtpCompression);
      expect(encoded.content.length).toBeLessThan(200);
      // biome-ignore lint/suspicious/noExplicitAny: calling xmtp-js's method on a minimal registry
      const decoded = await (Client.prototype as any).decodeContent.call(xmtp, payload);
      expect(decoded.content).toBe(text);
    }
  });

  test('short content is not compressed (as xmtp-js: under 10 bytes)', () => {
    const compressing = createContentRegistry({ compressor: fflateCompressor });
    const { payload } = compressing.encode({ kind: 'text', text: 'gm' }, { compression: Compression.gzip });
    expect(bytesToHex(payload)).toBe(fixture('text-gm').payloadHex);
  });

  test('an https remote attachment from xmtp-js is refused (Cairn requires ipfs://)', () => {
    expect(() => registry.decode(hexToBytes(fixture('remote-attachment-https').payloadHex))).toThrow(
      ContentCodecError,
    );
  });

  test('unknown types and newer major versions fall back to their fallback text', () => {
    for (const name of ['unknown-poll', 'unknown-text-v2']) {
      const c = fixture(name);
      const decoded = registry.decode(hexToBytes(c.payloadHex));
      expect(decoded.content.kind).toBe('unknown');
      expect(decoded.content).toMatchObject({ fallback: c.fallback });
      expect(decoded.fallback).toBe(c.fallback);
    }
  });

  test('legacy reaction (parameters + bare text) decodes as xmtp-js does', () => {
    const c = fixture('reaction-legacy');
    const decoded = registry.decode(hexToBytes(c.payloadHex));
    expect(decoded.content).toEqual({ kind: 'reaction', ...(c.xmtpDecoded?.content as object) });
  });
});

describe('remote attachment payload (RemoteAttachmentCodec.encodeEncrypted)', () => {
  const e = fixtures.encryptedAttachment;
  const keys = {
    secret: hexToBytes(e.secret.hex),
    salt: hexToBytes(e.salt.hex),
    nonce: hexToBytes(e.nonce.hex),
  };
  const payload = hexToBytes(e.payload.hex);

  test('Cairn decrypts the xmtp-js payload after checking its digest', () => {
    const decoded = decryptAttachment({ ...keys, contentDigest: e.contentDigest }, payload);
    expect(decoded.content).toEqual({ kind: 'attachment', ...(revive(e.attachment) as object) });
  });

  test('Cairn encrypts to the same payload and digest with the same key material', () => {
    const out = encryptPayload(hexToBytes(e.attachmentEncodedHex), keys.secret, keys.salt, keys.nonce);
    expect(bytesToHex(out.payload)).toBe(e.payload.hex);
    expect(out.contentDigest).toBe(e.contentDigest);
    const queue = [keys.secret, keys.salt, keys.nonce];
    const viaContent = encryptAttachment(
      {
        kind: 'attachment',
        ...(revive(e.attachment) as { filename: string; mimeType: string; data: Uint8Array }),
      },
      { randomBytes: () => queue.shift()! },
    );
    expect(bytesToHex(viaContent.payload)).toBe(e.payload.hex);
  });

  test('a wrong digest, a tampered payload or a wrong key is one opaque error', () => {
    const tampered = payload.slice();
    tampered[3]! ^= 1;
    const wrongKey = keys.secret.slice();
    wrongKey[0]! ^= 1;
    const attempts = [
      () => decryptAttachment({ ...keys, contentDigest: '00'.repeat(32) }, payload),
      () => decryptAttachment({ ...keys, contentDigest: e.contentDigest }, tampered),
      () => decryptAttachment({ ...keys, secret: wrongKey, contentDigest: e.contentDigest }, payload),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(AttachmentDecryptionError);
      expect(attempt).toThrow('Attachment could not be decrypted');
    }
  });
});
