/**
 * Where the Anchor and KeyRegistry contracts are on a network. On the devnet they are always at
 * the same addresses: `npm start` deploys them first thing on a fresh chain from the first dev
 * account (nonces 0 and 1). Elsewhere they are where `npm run contracts:deploy` put them (README).
 */
import { type Address, getContractAddress } from 'viem';

export interface AnchoringContracts {
  anchor: Address;
  keyRegistry: Address;
  /**
   * The block the contracts were deployed in: scans of their events start there. A number, not a
   * bigint: networks travel through extension ports as JSON.
   */
  fromBlock: number;
}

/** The first funded account of the dev phrase ("test … junk"), which deploys on the devnet. */
export const DEVNET_DEPLOYER: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

export const DEVNET_CONTRACTS: AnchoringContracts = {
  anchor: getContractAddress({ from: DEVNET_DEPLOYER, nonce: 0n }),
  keyRegistry: getContractAddress({ from: DEVNET_DEPLOYER, nonce: 1n }),
  fromBlock: 0,
};
