/** What an approval window shows, per kind of request. Shared with the approval page (types and one constant). */
import type { Address, Hex } from 'viem';
import type { Network } from '../../chain/networks';

export type ApprovalDetails =
  | { kind: 'connect' }
  /**
   * `cairn_messaging`: read and send messages as `accounts[0]`. `accounts` null: the site is not
   * connected yet, so the user also picks the accounts to connect (the first one is the identity).
   */
  | { kind: 'messaging'; accounts: Address[] | null }
  | { kind: 'signMessage'; address: Address; message: { hex: Hex; text: string | null } }
  | { kind: 'signTypedData'; address: Address; typedData: TypedDataView }
  | { kind: 'switchChain'; network: Network }
  | { kind: 'addChain'; network: Network }
  | { kind: 'sendTransaction'; address: Address; transaction: TransactionView }
  /** A transaction Cairn itself asks the user to send (origin `WALLET_ORIGIN`), e.g. anchoring. */
  | { kind: 'walletTransaction'; purpose: string; address: Address; transaction: TransactionView };

/**
 * The origin of approvals Cairn asks for itself. Not a web origin (no page can be sent from it),
 * so a site can never pass for the wallet.
 */
export const WALLET_ORIGIN = 'cairn:wallet';

export type ApprovalKind = ApprovalDetails['kind'];

export interface TypedDataView {
  primaryType: string;
  domain: Record<string, unknown>;
  message: Record<string, unknown>;
}

/** Amounts as decimal strings (bigints do not cross ports). */
export interface TransactionView {
  to: Address | null;
  valueWei: string;
  data: Hex;
  gas: string;
  maxFeePerGasWei: string | null;
  gasPriceWei: string | null;
  /** Upper bound of the fee: gas × max fee (or gas price). */
  maxFeeWei: string;
  network: Network;
}

export interface PendingApproval {
  id: string;
  /** From the browser's sender, never from the page. */
  origin: string;
  method: string;
  details: ApprovalDetails;
  createdAt: number;
}

export type ApprovalDecision = { approved: true; accounts?: Address[] } | { approved: false };
