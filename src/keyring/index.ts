/**
 * Public surface of the keyring layer (BIP-39/32/44 keys, encrypted vault,
 * EIP-191/712 signing). Import from here rather than from individual files.
 */

export { MESSAGING_IDENTITY_SALT, MESSAGING_IDENTITY_SEED_BYTES } from './account-secrets.ts';
export { MAX_ACCOUNT_NAME_LENGTH } from './accounts.ts';
export * from './errors.ts';
export { hdPath } from './hd-accounts.ts';
export { type KeyValueStore, MemoryKeyValueStore } from './key-value-store.ts';
export {
  type AccountInfo,
  type AccountKind,
  Keyring,
  type KeyringOptions,
  type KeyringStatus,
  MIN_PASSWORD_LENGTH,
} from './keyring.ts';
export { generateMnemonic, normalizeMnemonic, parseMnemonic } from './mnemonic.ts';
export { parsePrivateKey } from './private-key.ts';
export { SESSION_KEY_STORAGE_KEY } from './session-key.ts';
export { UNLOCK_FAILURES_STORAGE_KEY, unlockDelayMs } from './unlock-throttle.ts';
export {
  CURRENT_PBKDF2_ITERATIONS,
  MIN_PBKDF2_ITERATIONS,
  parseVault,
  VAULT_STORAGE_KEY,
  VAULT_VERSION,
} from './vault-format.ts';
