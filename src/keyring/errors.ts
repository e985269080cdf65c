/**
 * Keyring errors. Each carries the EIP-1193 / EIP-1474 code it maps to at the
 * API boundary, so the router never has to guess.
 */

export const RpcErrorCode = {
  userRejected: 4001,
  unauthorized: 4100,
  unsupportedMethod: 4200,
  unrecognizedChain: 4902,
  disconnected: 4900,
  chainDisconnected: 4901,
  resourceUnavailable: -32002,
  limitExceeded: -32005,
  invalidParams: -32602,
  internal: -32603,
} as const;
export type RpcErrorCode = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

export class CairnError extends Error {
  override name = 'CairnError';
  readonly code: RpcErrorCode;
  constructor(message: string, options: { code?: RpcErrorCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? RpcErrorCode.internal;
  }
}

/** The one opaque answer to every failed decryption: never say which check failed. */
export class IncorrectPasswordError extends CairnError {
  override name = 'IncorrectPasswordError';
  constructor() {
    super('Incorrect password', { code: RpcErrorCode.unauthorized });
  }
}

/** Stored vault JSON that cannot be parsed, or whose parameters are refused. The stored copy is left as it is. */
export class VaultFormatError extends CairnError {
  override name = 'VaultFormatError';
  constructor(detail: string) {
    super(`Vault is corrupt or unsupported: ${detail}`);
  }
}

export class NoVaultError extends CairnError {
  override name = 'NoVaultError';
  constructor() {
    super('No wallet has been created yet', { code: RpcErrorCode.unauthorized });
  }
}

export class VaultExistsError extends CairnError {
  override name = 'VaultExistsError';
  constructor() {
    super('A wallet already exists', { code: RpcErrorCode.invalidParams });
  }
}

export class LockedError extends CairnError {
  override name = 'LockedError';
  constructor() {
    super('Wallet is locked', { code: RpcErrorCode.unauthorized });
  }
}

export class InvalidMnemonicError extends CairnError {
  override name = 'InvalidMnemonicError';
  constructor(detail: string) {
    super(`Invalid secret recovery phrase: ${detail}`, { code: RpcErrorCode.invalidParams });
  }
}

export class InvalidPrivateKeyError extends CairnError {
  override name = 'InvalidPrivateKeyError';
  constructor(detail: string) {
    super(`Invalid private key: ${detail}`, { code: RpcErrorCode.invalidParams });
  }
}

export class WeakPasswordError extends CairnError {
  override name = 'WeakPasswordError';
  constructor(minLength: number) {
    super(`"password" must be at least ${minLength} characters`, { code: RpcErrorCode.invalidParams });
  }
}

export class UnknownAccountError extends CairnError {
  override name = 'UnknownAccountError';
  constructor(address: string) {
    super(`Unknown account ${address}`, { code: RpcErrorCode.unauthorized });
  }
}

export class InvalidParamsError extends CairnError {
  override name = 'InvalidParamsError';
  constructor(message: string) {
    super(message, { code: RpcErrorCode.invalidParams });
  }
}
