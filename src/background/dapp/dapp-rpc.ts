/**
 * The wallet side of EIP-1193: one handler per allowed method. The origin always
 * comes from the browser's sender (the port server passes it in), never from params.
 */
import { type Address, BaseError, bytesToHex, type Hex } from 'viem';
import { JsonRpcClient, JsonRpcError } from '../../chain/json-rpc-client';
import { type Network, toHexChainId } from '../../chain/networks';
import { pendingNonce, prepareTransaction, sendRawTransaction } from '../../chain/transaction-preparer';
import { CairnError, InvalidParamsError, RpcErrorCode } from '../../keyring/errors';
import type { Keyring } from '../../keyring/keyring';
import { isDappMethod, isMessagingMethod, isPassthroughMethod } from '../../provider/dapp-methods';
import { AccountSendLock } from '../account-send-lock';
import type { ApprovalController } from './approval-controller';
import { UserRejectedError } from './approval-controller';
import type { ApprovalDecision, ApprovalDetails } from './approval-types';
import { DappMessaging, type MessengerSource, NO_MESSENGER } from './dapp-messaging';
import {
  parseAddChain,
  parseNoParams,
  parsePassthrough,
  parsePermissionRequest,
  parsePersonalSign,
  parseSendTransaction,
  parseSignTypedData,
  parseSwitchChain,
  toTypedDataDefinition,
} from './dapp-params';
import type { NetworkStore } from './network-store';
import { UnknownChainError } from './network-store';
import {
  type Eip2255Permission,
  type PermissionsStore,
  permissionsOf,
  toEip2255,
  toMessagingPermission,
} from './permissions-store';
import { transactionView } from './transaction-view';

/** Where the RPC layer announces changes to connected sites. */
export interface DappEvents {
  accountsChanged(origin: string, accounts: Address[]): void;
  chainChanged(chainIdHex: Hex): void;
}

export interface DappRpcOptions {
  keyring: Keyring;
  permissions: PermissionsStore;
  approvals: ApprovalController;
  networks: NetworkStore;
  events: DappEvents;
  /** The messenger behind the `cairn_*` methods (absent: they answer 4100 as if locked). */
  messaging?: MessengerSource;
  rpcFor?: (network: Network) => JsonRpcClient;
  /** One transaction at a time per account (shared with the wallet's own transactions). */
  sendLock?: AccountSendLock;
  now?: () => number;
}

export class UnauthorizedError extends CairnError {
  override name = 'UnauthorizedError';
  constructor(message = 'This site is not connected to that account; call eth_requestAccounts first') {
    super(message, { code: RpcErrorCode.unauthorized });
  }
}

export class DappRpc {
  readonly #o: Required<DappRpcOptions>;
  /** The `cairn_*` methods. */
  readonly messaging: DappMessaging;

  constructor(options: DappRpcOptions) {
    this.#o = {
      rpcFor: (network) => new JsonRpcClient({ url: network.rpcUrl }),
      now: Date.now,
      messaging: NO_MESSENGER,
      sendLock: new AccountSendLock(),
      ...options,
    };
    this.messaging = new DappMessaging({
      permissions: this.#o.permissions,
      isUnlocked: () => this.#o.keyring.isUnlocked(),
      permittedAccounts: (origin) => this.permittedAccounts(origin),
      source: this.#o.messaging,
      now: this.#o.now,
    });
  }

  async handle(origin: string, method: string, params: unknown): Promise<unknown> {
    if (!isDappMethod(method)) {
      throw new CairnError(`The method "${method}" is not supported`, {
        code: RpcErrorCode.unsupportedMethod,
      });
    }
    if (isPassthroughMethod(method)) {
      const network = await this.#o.networks.selected();
      return this.#o.rpcFor(network).request(method, parsePassthrough(params, method));
    }
    if (isMessagingMethod(method)) return this.messaging.handle(origin, method, params);
    switch (method) {
      case 'eth_chainId':
        parseNoParams(params, method);
        return toHexChainId((await this.#o.networks.selected()).chainId);
      case 'net_version':
        parseNoParams(params, method);
        return String((await this.#o.networks.selected()).chainId);
      case 'eth_accounts':
        parseNoParams(params, method);
        return this.permittedAccounts(origin);
      case 'eth_requestAccounts':
        parseNoParams(params, method);
        return this.#connect(origin, method);
      case 'wallet_requestPermissions': {
        const requested = parsePermissionRequest(params, method);
        if (requested.has('cairn_messaging'))
          return this.#requestMessaging(origin, method, requested.has('eth_accounts'));
        await this.#connect(origin, method, true);
        const grant = await this.#o.permissions.get(origin);
        return grant ? [toEip2255(grant)] : [];
      }
      case 'wallet_getPermissions':
        parseNoParams(params, method);
        return permissionsOf(await this.#o.permissions.get(origin));
      case 'wallet_revokePermissions':
        // eth_accounts takes everything with it: messaging needs a connected account.
        if (parsePermissionRequest(params, method).has('eth_accounts')) await this.revoke(origin);
        else await this.#o.permissions.setMessaging(origin, false, this.#o.now());
        return null;
      case 'personal_sign':
        return this.#personalSign(origin, params);
      case 'eth_signTypedData_v4':
        return this.#signTypedData(origin, params);
      case 'wallet_switchEthereumChain':
        return this.#switchChain(origin, parseSwitchChain(params));
      case 'wallet_addEthereumChain':
        return this.#addChain(origin, params);
      case 'eth_sendTransaction':
        return this.#sendTransaction(origin, params);
    }
  }

  /** Accounts the site may see: granted ones that still exist, and none while locked. */
  async permittedAccounts(origin: string): Promise<Address[]> {
    if (!this.#o.keyring.isUnlocked()) return [];
    const grant = await this.#o.permissions.get(origin);
    if (!grant) return [];
    const existing = new Set(this.#o.keyring.getAccounts().map((account) => account.address));
    return grant.accounts.filter((address) => existing.has(address));
  }

  /** Removes a site's permission, rejects what it still has pending, and tells it. */
  async revoke(origin: string): Promise<void> {
    await this.#o.permissions.revoke(origin);
    this.#o.approvals.rejectOrigin(origin);
    this.#o.events.accountsChanged(origin, []);
  }

  /**
   * Asks the user to connect (`details` `connect`, or `messaging` to connect with messaging).
   * A new account list drops messaging unless this approval granted it.
   */
  async #connect(
    origin: string,
    method: string,
    askEvenIfGranted = false,
    details: ApprovalDetails = { kind: 'connect' },
  ): Promise<Address[]> {
    const current = await this.permittedAccounts(origin);
    if (current.length > 0 && !askEvenIfGranted) return current;
    const decision = await this.#o.approvals.request(origin, method, details);
    const approved = requireApproved(decision);
    const wallet = new Set(this.#o.keyring.getAccounts().map((account) => account.address));
    const accounts = approved.accounts ?? [];
    if (accounts.length === 0 || accounts.some((address) => !wallet.has(address))) {
      throw new InvalidParamsError('Choose at least one account of this wallet');
    }
    const messaging = details.kind === 'messaging' ? { messaging: true } : {};
    await this.#o.permissions.grant(origin, accounts, this.#o.now(), messaging);
    this.#o.events.accountsChanged(origin, accounts);
    return accounts;
  }

  /**
   * `cairn_messaging`: a connected site asks to message as its first account (answered at once
   * if it already may); a site that is not connected, or that asks for eth_accounts too, has the
   * user pick accounts in the same window.
   */
  async #requestMessaging(
    origin: string,
    method: string,
    withAccounts: boolean,
  ): Promise<Eip2255Permission[]> {
    const grant = await this.#o.permissions.get(origin);
    if (withAccounts || !grant) {
      await this.#connect(origin, method, true, { kind: 'messaging', accounts: null });
      return permissionsOf(await this.#o.permissions.get(origin));
    }
    if (grant.messaging) return [toMessagingPermission(grant)];
    // While locked the window asks for the password first; the stored accounts are what it shows.
    requireApproved(
      await this.#o.approvals.request(origin, method, { kind: 'messaging', accounts: grant.accounts }),
    );
    if ((await this.permittedAccounts(origin)).length === 0) throw new UnauthorizedError();
    // Revoked or reconnected with other accounts while the window was open: not what the user allowed.
    const updated = await this.#o.permissions.setMessaging(origin, true, this.#o.now(), grant.accounts);
    if (!updated) throw new UnauthorizedError();
    return [toMessagingPermission(updated)];
  }

  async #requirePermitted(origin: string, address: Address): Promise<void> {
    const grant = await this.#o.permissions.get(origin);
    if (!grant?.accounts.includes(address)) throw new UnauthorizedError();
  }

  async #personalSign(origin: string, params: unknown): Promise<Hex> {
    const { address, bytes } = parsePersonalSign(params);
    await this.#requirePermitted(origin, address);
    const hex = bytesToHex(bytes);
    requireApproved(
      await this.#o.approvals.request(origin, 'personal_sign', {
        kind: 'signMessage',
        address,
        message: { hex, text: printableUtf8(bytes) },
      }),
    );
    return this.#o.keyring.signMessage(address, { raw: bytes });
  }

  async #signTypedData(origin: string, params: unknown): Promise<Hex> {
    const { address, typedData } = parseSignTypedData(params);
    await this.#requirePermitted(origin, address);
    await this.#assertDomainChain(typedData.domain.chainId);
    requireApproved(
      await this.#o.approvals.request(origin, 'eth_signTypedData_v4', {
        kind: 'signTypedData',
        address,
        typedData: {
          primaryType: typedData.primaryType,
          domain: typedData.domain,
          message: typedData.message,
        },
      }),
    );
    // The user may have switched networks while the window was open.
    await this.#assertDomainChain(typedData.domain.chainId);
    return this.#o.keyring.signTypedData(address, toTypedDataDefinition(typedData));
  }

  /** A typed-data domain that names a chain must name the selected one (as MetaMask requires). */
  async #assertDomainChain(domainChainId: unknown): Promise<void> {
    if (domainChainId === undefined) return;
    const selected = (await this.#o.networks.selected()).chainId;
    if (Number(domainChainId) !== selected) {
      throw new InvalidParamsError(
        `The typed data is for chain ${String(domainChainId)}, but the selected chain is ${selected}`,
      );
    }
  }

  async #switchChain(origin: string, chainId: number): Promise<null> {
    const network = await this.#o.networks.find(chainId);
    if (!network) throw new UnknownChainError(chainId);
    if ((await this.#o.networks.selected()).chainId === chainId) return null;
    requireApproved(
      await this.#o.approvals.request(origin, 'wallet_switchEthereumChain', { kind: 'switchChain', network }),
    );
    await this.#o.networks.select(chainId);
    this.#o.events.chainChanged(toHexChainId(chainId));
    return null;
  }

  async #addChain(origin: string, params: unknown): Promise<null> {
    const chain = parseAddChain(params);
    const known = await this.#o.networks.find(chain.chainId);
    if (known) return this.#switchChain(origin, chain.chainId);
    const network = {
      chainId: chain.chainId,
      name: chain.chainName,
      rpcUrl: chain.rpcUrls[0] ?? '',
      currencySymbol: chain.nativeCurrency.symbol,
      ...(chain.blockExplorerUrls?.[0] ? { blockExplorerUrl: chain.blockExplorerUrls[0] } : {}),
    };
    // Validate fully before asking the user about it, including that the RPC serves that chain (EIP-3085).
    const preview = await this.#o.networks.validate(network);
    const served = await this.#o.rpcFor(preview).request('eth_chainId');
    if (typeof served !== 'string' || Number.parseInt(served, 16) !== chain.chainId) {
      throw new InvalidParamsError(
        `The RPC URL ${preview.rpcUrl} serves chain ${String(served)}, not ${toHexChainId(chain.chainId)}`,
      );
    }
    requireApproved(
      await this.#o.approvals.request(origin, 'wallet_addEthereumChain', {
        kind: 'addChain',
        network: preview,
      }),
    );
    await this.#o.networks.add(network);
    await this.#o.networks.select(chain.chainId);
    this.#o.events.chainChanged(toHexChainId(chain.chainId));
    return null;
  }

  async #sendTransaction(origin: string, params: unknown): Promise<Hex> {
    const request = parseSendTransaction(params);
    await this.#requirePermitted(origin, request.from);
    const network = await this.#o.networks.selected();
    if (request.chainId !== undefined && Number(request.chainId) !== network.chainId) {
      throw new InvalidParamsError(
        `The transaction is for chain ${request.chainId}, but the selected chain is ${network.chainId}`,
      );
    }
    const rpc = this.#o.rpcFor(network);
    const prepared = await prepareTransaction(network, rpc, {
      from: request.from,
      to: request.to,
      value: request.value,
      data: request.data ?? request.input,
      gas: request.gas,
      gasPrice: request.gasPrice,
      maxFeePerGas: request.maxFeePerGas,
      maxPriorityFeePerGas: request.maxPriorityFeePerGas,
      nonce: request.nonce,
      type: request.type === '0x0' ? 'legacy' : request.type === '0x2' ? 'eip1559' : undefined,
    }).catch(invalidTransaction);
    requireApproved(
      await this.#o.approvals.request(origin, 'eth_sendTransaction', {
        kind: 'sendTransaction',
        address: request.from,
        transaction: transactionView(prepared, network),
      }),
    );
    return this.#o.sendLock.run(request.from, async () => {
      // Another transaction may have been sent while the user was deciding.
      const nonce = request.nonce === undefined ? await pendingNonce(rpc, request.from) : prepared.nonce;
      const raw = await this.#o.keyring.signTransaction(request.from, { ...prepared, nonce });
      return sendRawTransaction(rpc, raw);
    });
  }
}

/** viem's own checks of a transaction (e.g. a tip above the fee cap) mean the dapp's params are wrong. */
function invalidTransaction(error: unknown): never {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    if (cause instanceof JsonRpcError || cause instanceof CairnError) throw error; // the node's or ours: as is
  }
  if (error instanceof BaseError) throw new InvalidParamsError(`Invalid transaction: ${error.shortMessage}`);
  throw error;
}

function requireApproved(decision: ApprovalDecision): Extract<ApprovalDecision, { approved: true }> {
  if (!decision.approved) throw new UserRejectedError();
  return decision;
}

/**
 * The message as text when it is valid UTF-8 without invisible or reordering
 * characters (controls other than tab/newline, bidi overrides, zero-width marks):
 * otherwise the user is shown hex, so what they read is what they sign.
 */
export function printableUtf8(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
  return /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(text.replace(/[\t\n\r]/g, '')) ? null : text;
}
