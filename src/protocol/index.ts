/**
 * Cairn messaging protocol: XMTP v2-compatible identities, contact bundles, invitations and
 * encrypted, signed messages. Pure TypeScript, no I/O.
 */
export * from './aead.ts';
export * from './bundle.ts';
export * from './bytes.ts';
export * from './conversation.ts';
export * from './envelope.ts';
export * from './errors.ts';
export * from './identity.ts';
export * from './invitation.ts';
export * from './keys.ts';
export * from './limits.ts';
export * from './message.ts';
export * from './private-bundle.ts';
export * from './secret.ts';
export * from './topics.ts';
export * from './wire.ts';
