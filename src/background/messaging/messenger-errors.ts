/** Messenger errors, with the EIP-1193 code each maps to at the API boundary. */
import { CairnError, RpcErrorCode } from '../../keyring/errors';

/** The address never published a contact bundle that a relay (or our cache) knows. */
export class NoMessagingIdentityError extends CairnError {
  override name = 'NoMessagingIdentityError';
  constructor(address: string) {
    super(`${address} has no Cairn/XMTP identity yet`, { code: RpcErrorCode.invalidParams });
  }
}

/** Messaging needs the wallet unlocked and the messenger started. */
export class MessengerStoppedError extends CairnError {
  override name = 'MessengerStoppedError';
  constructor() {
    super('Messaging is not running: unlock the wallet first', { code: RpcErrorCode.unauthorized });
  }
}

/** No relay answered in time. */
export class RelayUnavailableError extends CairnError {
  override name = 'RelayUnavailableError';
  constructor(message = 'No relay is reachable right now') {
    super(message, { code: RpcErrorCode.disconnected });
  }
}
