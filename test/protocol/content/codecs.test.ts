/** Codecs: round trips, fallbacks, and the inputs each codec must refuse. */
import { content as proto } from '@xmtp/proto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type Content,
  ContentCodecError,
  ContentLimitError,
  ContentTypeReaction,
  ContentTypeRemoteAttachment,
  ContentTypeReply,
  ContentTypeText,
  ContentUnsupportedError,
  createContentRegistry,
  decryptAttachment,
  encryptAttachment,
  isCid,
  parseIpfsUrl,
  type RemoteAttachmentContent,
  defaultContentRegistry as registry,
  remoteAttachmentContent,
  textCodec,
} from '../../../src/protocol/content/index.ts';
import { fixture, hexToBytes } from './helpers.ts';

const reference = 'ab'.repeat(32);
const roundTrip = (content: Content) => registry.decode(registry.encode(content).payload).content;
const utf8 = (s: string) => new TextEncoder().encode(s);
const payloadOf = (encoded: Parameters<typeof proto.EncodedContent.encode>[0]) =>
  proto.EncodedContent.encode(encoded).finish();

describe('text', () => {
  test('round trips any well-formed string', () => {
    fc.assert(
      fc.property(
        // A leading byte-order mark is dropped on decode (next test), as xmtp-js does.
        fc.string({ unit: 'grapheme', maxLength: 200 }).filter((text) => !text.startsWith('\uFEFF')),
        (text) => {
          expect(roundTrip({ kind: 'text', text })).toEqual({ kind: 'text', text });
        },
      ),
      { numRuns: 500 },
    );
  });

  test('drops a leading byte-order mark as xmtp-js does, and keeps one inside the text', () => {
    expect(roundTrip({ kind: 'text', text: '\uFEFFgm' })).toEqual({ kind: 'text', text: 'gm' });
    expect(roundTrip({ kind: 'text', text: 'g\uFEFFm' })).toEqual({ kind: 'text', text: 'g\uFEFFm' });
  });

  test('64 KiB of text passes; one byte more is refused on both sides', () => {
    const max = 'x'.repeat(64 * 1024);
    expect(roundTrip({ kind: 'text', text: max })).toEqual({ kind: 'text', text: max });
    expect(() => registry.encode({ kind: 'text', text: `${max}x` })).toThrow(ContentLimitError);
  });

  test('refuses another encoding, a missing encoding, invalid UTF-8 and lone surrogates', () => {
    for (const parameters of [{ encoding: 'UTF-16' }, {}] as Record<string, string>[]) {
      expect(() =>
        registry.decode(payloadOf({ type: ContentTypeText, parameters, content: utf8('hi') })),
      ).toThrow(ContentCodecError);
    }
    const badUtf8 = payloadOf({
      type: ContentTypeText,
      parameters: { encoding: 'UTF-8' },
      content: Uint8Array.of(0xc3, 0x28),
    });
    expect(() => registry.decode(badUtf8)).toThrow(/not valid UTF-8/);
    expect(() => registry.encode({ kind: 'text', text: '\udc00' })).toThrow(ContentCodecError);
  });
});

describe('reply', () => {
  test('round trips replies holding text, reactions, read receipts and remote attachments', () => {
    const remote = fixtureRemote();
    for (const inner of [
      { kind: 'text', text: 'ok' },
      { kind: 'reaction', reference, action: 'added', schema: 'unicode', content: '👍' },
      { kind: 'readReceipt' },
      remote,
    ] as const satisfies Content[]) {
      const reply: Content = { kind: 'reply', reference, content: inner };
      expect(roundTrip(reply)).toEqual(reply);
    }
  });

  test('fallback texts match xmtp-js', () => {
    expect(
      registry.encode({ kind: 'reply', reference, content: { kind: 'text', text: 'hi' } }).encoded.fallback,
    ).toBe('Replied with “hi” to an earlier message');
    expect(
      registry.encode({ kind: 'reply', reference, content: { kind: 'readReceipt' } }).encoded.fallback,
    ).toBe('Replied to an earlier message');
  });

  test('nesting is bounded: a reply to a reply is refused both ways', () => {
    const nested: Content = {
      kind: 'reply',
      reference,
      content: { kind: 'reply', reference, content: { kind: 'text', text: 'deep' } },
    };
    expect(() => registry.encode(nested)).toThrow(ContentLimitError);
    const inner = payloadOf({
      type: ContentTypeReply,
      parameters: { contentType: 'xmtp.org/text:1.0', reference },
      content: hexToBytes(fixture('reply-text').payloadHex),
    });
    const outer = payloadOf({ type: ContentTypeReply, parameters: { reference }, content: inner });
    expect(() => registry.decode(outer)).toThrow(ContentLimitError);
  });

  test('an inner content of an unknown type becomes unknown with its fallback', () => {
    const poll = hexToBytes(fixture('unknown-poll').payloadHex);
    const reply = registry.decode(
      payloadOf({ type: ContentTypeReply, parameters: { reference }, content: poll }),
    );
    expect(reply.content).toMatchObject({
      kind: 'reply',
      content: { kind: 'unknown', fallback: fixture('unknown-poll').fallback },
    });
  });

  test('refuses a missing or oversize reference and malformed inner content', () => {
    const inner = payloadOf({ type: ContentTypeText, parameters: { encoding: 'UTF-8' }, content: utf8('x') });
    for (const parameters of [{}, { reference: '' }, { reference: 'r'.repeat(257) }] as Record<
      string,
      string
    >[]) {
      expect(() =>
        registry.decode(payloadOf({ type: ContentTypeReply, parameters, content: inner })),
      ).toThrow(ContentCodecError);
    }
    expect(() =>
      registry.decode(
        payloadOf({ type: ContentTypeReply, parameters: { reference }, content: Uint8Array.of(0x0a, 0x09) }),
      ),
    ).toThrow(/past the end/);
  });
});

describe('reaction', () => {
  const reactionArb = fc.record(
    {
      kind: fc.constant('reaction' as const),
      reference: fc.string({ minLength: 1, maxLength: 80 }),
      referenceInboxId: fc.string({ minLength: 1, maxLength: 40 }),
      action: fc.constantFrom('added' as const, 'removed' as const),
      schema: fc.constantFrom('unicode' as const, 'shortcode' as const, 'custom' as const),
      content: fc.string({ unit: 'grapheme', maxLength: 20 }),
    },
    { requiredKeys: ['kind', 'reference', 'action', 'schema', 'content'] },
  );

  test('round trips', () => {
    fc.assert(
      fc.property(reactionArb, (reaction) => {
        expect(roundTrip(reaction)).toEqual(reaction);
      }),
      { numRuns: 500 },
    );
  });

  test('fallbacks match xmtp-js and reactions are not pushed', () => {
    const added = registry.encode({
      kind: 'reaction',
      reference,
      action: 'added',
      schema: 'unicode',
      content: '🔥',
    });
    expect(added.encoded.fallback).toBe('Reacted “🔥” to an earlier message');
    expect(added.shouldPush).toBe(false);
    const removed = registry.encode({
      kind: 'reaction',
      reference,
      action: 'removed',
      schema: 'unicode',
      content: '🔥',
    });
    expect(removed.encoded.fallback).toBe('Removed “🔥” from an earlier message');
  });

  test('refuses JSON with bad fields and no legacy parameters', () => {
    for (const body of [
      '{"action":"liked","reference":"r","schema":"unicode","content":"x"}',
      '[]',
      'null',
      'not json',
    ]) {
      expect(() =>
        registry.decode(payloadOf({ type: ContentTypeReaction, parameters: {}, content: utf8(body) })),
      ).toThrow(ContentCodecError);
    }
    expect(() =>
      registry.encode({ kind: 'reaction', reference: '', action: 'added', schema: 'unicode', content: 'x' }),
    ).toThrow(ContentCodecError);
  });
});

describe('read receipt', () => {
  test('round trips, no fallback, not pushed', () => {
    const out = registry.encode({ kind: 'readReceipt' });
    expect(out.encoded.fallback).toBeUndefined();
    expect(out.shouldPush).toBe(false);
    expect(registry.decode(out.payload).content).toEqual({ kind: 'readReceipt' });
  });
});

function fixtureRemote(): RemoteAttachmentContent {
  const decoded = registry.decode(hexToBytes(fixture('remote-attachment-cidv1').payloadHex)).content;
  if (decoded.kind !== 'remoteAttachment') throw new Error('fixture');
  return decoded;
}

describe('remote attachment', () => {
  const good = fixtureRemote();
  const params = proto.EncodedContent.decode(
    hexToBytes(fixture('remote-attachment-cidv1').payloadHex),
  ).parameters;
  const withParams = (changes: Record<string, string>, url = good.url) =>
    payloadOf({
      type: ContentTypeRemoteAttachment,
      parameters: { ...params, ...changes },
      content: utf8(url),
    });

  test('encrypt → store on IPFS → remote attachment → decrypt', () => {
    const data = new Uint8Array(200_000).map((_, i) => (i * 7919) >>> 3);
    const encrypted = encryptAttachment({
      kind: 'attachment',
      filename: 'blob.bin',
      mimeType: 'application/octet-stream',
      data,
    });
    const remote = remoteAttachmentContent(good.url, encrypted, {
      filename: 'blob.bin',
      contentLength: data.length,
    });
    const received = roundTrip(remote);
    expect(received).toEqual(remote);
    if (received.kind !== 'remoteAttachment') throw new Error('kind');
    const file = decryptAttachment(received, encrypted.payload).content;
    expect(file).toEqual({
      kind: 'attachment',
      filename: 'blob.bin',
      mimeType: 'application/octet-stream',
      data,
    });
    expect(registry.encode(remote).encoded.fallback).toBe(
      'Can’t display "blob.bin". This app doesn’t support attachments.',
    );
  });

  test.each([
    ['an https URL', {}, 'https://example.com/x'],
    ['a URL that is not a CID', {}, 'ipfs://hello'],
    ['a CID with a path', {}, `${'ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'}/x`],
    ['the https scheme', { scheme: 'https://' }, undefined],
    ['an upper-case digest', { contentDigest: 'E'.repeat(64) }, undefined],
    ['a short digest', { contentDigest: 'e'.repeat(62) }, undefined],
    ['a short secret', { secret: '00'.repeat(31) }, undefined],
    ['a long salt', { salt: '00'.repeat(33) }, undefined],
    ['a non-hex nonce', { nonce: 'zz'.repeat(12) }, undefined],
    ['a non-decimal length', { contentLength: '0x10' }, undefined],
    ['a negative length', { contentLength: '-1' }, undefined],
    ['a length over the limit', { contentLength: String(11 * 1024 * 1024) }, undefined],
  ] as const)('refuses %s', (_name, changes, url) => {
    expect(() => registry.decode(withParams(changes, url))).toThrow(ContentCodecError);
  });

  test('encoding refuses what decoding refuses', () => {
    expect(() => registry.encode({ ...good, url: 'https://example.com/x' })).toThrow(ContentCodecError);
    expect(() => registry.encode({ ...good, secret: new Uint8Array(16) })).toThrow(ContentCodecError);
    expect(() => registry.encode({ ...good, scheme: 'https://' })).toThrow(ContentCodecError);
  });

  test('CIDs: v0 and base32 v1 accepted; others refused', () => {
    expect(isCid('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')).toBe(true);
    expect(isCid('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')).toBe(true);
    expect(isCid('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')).toBe(true);
    for (const bad of [
      '',
      'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd0', // '0' is not base58
      'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd',
      'BAFYBEIGDYRZT5SFP7UDM7HU76UH7Y26NF3EFUYLQABF3OCLGTQY55FBZDI',
      'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd',
      'zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7',
    ]) {
      expect(isCid(bad)).toBe(false);
    }
    expect(() => parseIpfsUrl('ipfs://')).toThrow(ContentCodecError);
  });
});

describe('registry', () => {
  test('unknown types fall back; unknown content cannot be encoded', () => {
    const noFallback = payloadOf({
      type: { ...ContentTypeText, authorityId: 'example.com' },
      parameters: {},
      content: utf8('?'),
    });
    const decoded = registry.decode(noFallback);
    expect(decoded.content).toEqual({
      kind: 'unknown',
      contentType: decoded.contentType,
      fallback: undefined,
    });
    expect(() => registry.encode(decoded.content)).toThrow(ContentUnsupportedError);
  });

  test('a registry without a codec treats its type as unknown and shows the fallback', () => {
    const textOnly = createContentRegistry({ codecs: [textCodec] });
    const reply = hexToBytes(fixture('reply-text').payloadHex);
    const decoded = textOnly.decode(reply);
    expect(decoded.content).toMatchObject({
      kind: 'unknown',
      fallback: 'Replied with “agreed 👍” to an earlier message',
    });
    expect(() => textOnly.encode({ kind: 'readReceipt' })).toThrow(ContentUnsupportedError);
  });

  test('a newer minor version of a known type decodes with the known codec', () => {
    const v11 = payloadOf({
      type: { ...ContentTypeText, versionMinor: 1 },
      parameters: { encoding: 'UTF-8' },
      content: utf8('hi'),
    });
    expect(registry.decode(v11).content).toEqual({ kind: 'text', text: 'hi' });
  });
});
