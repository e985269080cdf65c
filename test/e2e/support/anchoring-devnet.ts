/** The devnet as `npm start` has it, for the anchoring e2e tests and benchmarks. */
import {
  DEVNET_DEPLOYER_KEY,
  deployAnchoringContracts,
  devnetAggregatorKey,
} from '../../../scripts/deploy-contracts.ts';
import { DEVNET_CONTRACTS } from '../../../src/chain/anchoring-contracts.ts';
import type { RelayAnchoringOptions } from './relay-daemon.ts';

/**
 * Deploys Anchor and KeyRegistry from the dev phrase's first account on a fresh node at `rpcUrl`.
 * @throws when they did not land at the fixed addresses the extension's devnet preset knows
 */
export async function deployDevnetContracts(rpcUrl: string): Promise<void> {
  const contracts = await deployAnchoringContracts({ rpcUrl, privateKey: DEVNET_DEPLOYER_KEY });
  if (
    contracts.anchor !== DEVNET_CONTRACTS.anchor ||
    contracts.keyRegistry !== DEVNET_CONTRACTS.keyRegistry
  ) {
    throw new Error(
      `the contracts landed at ${contracts.anchor} / ${contracts.keyRegistry}: not a fresh devnet`,
    );
  }
}

/** A relay anchoring on the devnet at `rpcUrl` with the aggregator's dev account. */
export function devnetAnchoring(rpcUrl: string): RelayAnchoringOptions {
  return { rpcUrl, contract: DEVNET_CONTRACTS.anchor, key: devnetAggregatorKey() };
}
