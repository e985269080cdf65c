import { describe, expect, it } from 'vitest';
import { DEVNET_CONTRACTS } from '../../src/chain/anchoring-contracts.ts';
import { DEVNET, PRESET_NETWORKS } from '../../src/chain/networks.ts';

describe('preset networks', () => {
  it('survive JSON, as they do crossing extension ports (no bigint, no undefined-only fields)', () => {
    for (const network of PRESET_NETWORKS) expect(JSON.parse(JSON.stringify(network))).toEqual(network);
  });

  it('the devnet knows its contracts at their fixed addresses', () => {
    expect(DEVNET.anchoring).toEqual(DEVNET_CONTRACTS);
    expect(DEVNET_CONTRACTS).toEqual({
      anchor: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      keyRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      fromBlock: 0,
    });
  });
});
