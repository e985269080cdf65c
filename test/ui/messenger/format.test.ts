import { describe, expect, it } from 'vitest';
import { parseRecipient, sameAddress } from '../../../src/ui/messenger/addresses';
import {
  contentBody,
  contentPreview,
  formatBytes,
  fullTime,
  isoTime,
  isValidTime,
  listTime,
  messageTime,
  statusLabel,
} from '../../../src/ui/messenger/format';
import { ALICE } from './fake-client';

describe('parseRecipient', () => {
  it('accepts lower-case, upper-case and checksummed addresses and returns them checksummed', () => {
    expect(parseRecipient(` ${ALICE.toLowerCase()} `)).toEqual({ address: ALICE });
    expect(parseRecipient(`0x${ALICE.slice(2).toUpperCase()}`)).toEqual({ address: ALICE });
    expect(parseRecipient(ALICE)).toEqual({ address: ALICE });
  });

  it.each([
    ['', 'Enter the recipient’s address'],
    ['vitalik.eth', 'Enter a 0x address of 40 hex characters'],
    [ALICE.slice(0, -1), 'Enter a 0x address of 40 hex characters'],
    [`${ALICE}0`, 'Enter a 0x address of 40 hex characters'],
    [`0x${'g'.repeat(40)}`, 'Enter a 0x address of 40 hex characters'],
    [ALICE.replace('F', 'f'), 'The address checksum does not match; check it for typos'],
  ])('refuses %j', (input, error) => {
    expect(parseRecipient(input)).toEqual({ error });
  });

  it('compares addresses whatever their case', () => {
    expect(sameAddress(ALICE, ALICE.toLowerCase())).toBe(true);
    expect(sameAddress(ALICE, `0x${'0'.repeat(40)}`)).toBe(false);
  });
});

describe('message texts', () => {
  it('previews each kind of content in one line', () => {
    expect(contentPreview({ kind: 'text', text: 'gm' })).toBe('gm');
    expect(contentPreview({ kind: 'reply', text: 'sure', reference: 'ab' })).toBe('sure');
    expect(contentPreview({ kind: 'reaction', emoji: '👍', reference: 'ab', action: 'added' })).toBe(
      'Reaction',
    );
    expect(
      contentPreview({ kind: 'attachment', filename: 'a.png', mimeType: 'image/png', size: 1, url: 'x' }),
    ).toBe('Attachment');
    expect(contentPreview({ kind: 'unsupported', contentType: 'x/y:1.0', fallback: 'Poll: lunch?' })).toBe(
      'Poll: lunch?',
    );
    expect(contentPreview({ kind: 'unsupported', contentType: 'x/y:1.0', fallback: null })).toBe(
      'Unsupported message',
    );
  });

  it('spells out contents in a chat', () => {
    expect(contentBody({ kind: 'reaction', emoji: '👍', reference: 'ab', action: 'removed' })).toBe(
      'Removed reaction 👍',
    );
    expect(
      contentBody({ kind: 'attachment', filename: 'a.png', mimeType: 'image/png', size: 12_500, url: 'x' }),
    ).toBe('Attachment: a.png (12.5 KB)');
    expect(contentBody({ kind: 'unsupported', contentType: 'x/y:1.0', fallback: null })).toBe(
      'Unsupported message (x/y:1.0)',
    );
    expect(formatBytes(980)).toBe('980 B');
    expect(formatBytes(3_100_000)).toBe('3.1 MB');
  });

  it('labels every status', () => {
    expect((['queued', 'sent', 'delivered', 'failed'] as const).map(statusLabel)).toEqual([
      'Queued',
      'Sent',
      'Delivered',
      'Failed',
    ]);
  });

  it('shortens times by how long ago they were', () => {
    const now = new Date(2025, 5, 12, 15, 30).getTime();
    expect(listTime(new Date(2025, 5, 12, 9, 5).getTime(), now, 'en-GB')).toBe('09:05');
    expect(listTime(new Date(2025, 5, 11, 23, 59).getTime(), now, 'en-GB')).toBe('Yesterday');
    expect(listTime(new Date(2025, 5, 9, 12, 0).getTime(), now, 'en-GB')).toBe('Mon');
    expect(listTime(new Date(2025, 2, 3, 12, 0).getTime(), now, 'en-GB')).toBe('3 Mar');
    expect(listTime(new Date(2024, 2, 3, 12, 0).getTime(), now, 'en-GB')).toBe('3 Mar 2024');
    expect(messageTime(new Date(2025, 5, 12, 9, 5).getTime(), now, 'en-GB')).toBe('09:05');
    expect(messageTime(new Date(2025, 2, 3, 9, 5).getTime(), now, 'en-GB')).toBe('3 Mar, 09:05');
  });

  it('shows nothing rather than throwing for a time a Date cannot hold', () => {
    for (const bad of [1e20, -1e20, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(isValidTime(bad)).toBe(false);
      expect(listTime(bad)).toBe('');
      expect(messageTime(bad)).toBe('');
      expect(fullTime(bad)).toBe('Unknown time');
      expect(isoTime(bad)).toBeUndefined();
    }
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
