/**
 * Strict base64 (RFC 4648 §4, standard alphabet, padded) for the vault and session
 * key records. Decoding refuses anything that does not re-encode to the same text,
 * so one byte string has exactly one stored form.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Decodes padded standard base64, or returns `undefined` if `text` is not canonical base64. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Non-zero padding bits decode fine but re-encode differently: refuse them.
  return encodeBase64(bytes) === text ? bytes : undefined;
}
