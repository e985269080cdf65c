/** Deploying to a real Hardhat node (the devnet's way): fixed addresses, working contracts. */
import { createPublicClient, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_DEPLOYER_KEY, deployAnchoringContracts } from '../../scripts/deploy-contracts.ts';
import { type HardhatNode, startHardhatNode } from '../../scripts/devnet.ts';
import { DEVNET_CONTRACTS } from '../../src/chain/anchoring-contracts.ts';
import { anchorAbi, keyRegistryAbi } from '../../src/chain/contract-artifacts.ts';
import { freePort } from '../support/free-port.ts';

let node: HardhatNode;

beforeAll(async () => {
  node = await startHardhatNode({ port: await freePort() });
}, 90_000);

afterAll(async () => {
  await node?.stop();
});

describe('deployAnchoringContracts', () => {
  it('deploys both contracts on a fresh devnet at the fixed devnet addresses', async () => {
    const contracts = await deployAnchoringContracts({ rpcUrl: node.url, privateKey: DEVNET_DEPLOYER_KEY });
    expect(contracts.anchor).toBe(DEVNET_CONTRACTS.anchor);
    expect(contracts.keyRegistry).toBe(DEVNET_CONTRACTS.keyRegistry);
    const client = createPublicClient({ transport: http(node.url) });
    expect(
      await client.readContract({ address: contracts.anchor, abi: anchorAbi, functionName: 'batchCount' }),
    ).toBe(0n);
    expect(
      await client.readContract({
        address: contracts.keyRegistry,
        abi: keyRegistryAbi,
        functionName: 'MAX_CID_BYTES',
      }),
    ).toBe(128n);
  }, 60_000);
});
