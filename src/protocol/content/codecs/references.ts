/** Checks shared by the codecs that point at another message (reply, reaction). */
import { ContentCodecError } from '../content-errors.ts';

/** Longest message reference accepted (a hex SHA-256 message id is 64). */
export const MAX_REFERENCE_LENGTH = 256;

export function checkReference(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REFERENCE_LENGTH) {
    throw new ContentCodecError(`"${what}" expected a string of 1 to ${MAX_REFERENCE_LENGTH} characters`);
  }
}
