/**
 * Typed errors of the messaging protocol layer (XMTP v2 message_contents).
 * Every decoder and verifier in `src/protocol` throws one of these and nothing else
 * for bad input, so callers can drop a bad envelope without guessing.
 */

/** Base class of every protocol error. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bytes that are not a well-formed protobuf message of the expected type, or miss a required field. */
export class ProtocolDecodeError extends ProtocolError {
  override name = 'ProtocolDecodeError';
}

/** Input over one of the limits in `limits.ts`; refused before any decryption. */
export class LimitError extends ProtocolError {
  override name = 'LimitError';
}

/**
 * A signature, signature chain (wallet → identity key → pre-key), sender HMAC or signer
 * that does not verify or is not the expected party.
 */
export class SignatureError extends ProtocolError {
  override name = 'SignatureError';
}

/**
 * Any AEAD failure (bad key, nonce, tag, header or ciphertext). Deliberately opaque:
 * the message never says which check failed.
 */
export class DecryptionError extends ProtocolError {
  override name = 'DecryptionError';
  constructor(options?: { cause?: unknown }) {
    super('Decryption failed', options);
  }
}

/** A caller passed an argument of the wrong shape (a bug in the caller, not hostile input). */
export class ProtocolArgumentError extends ProtocolError {
  override name = 'ProtocolArgumentError';
}
