/** The checked-in contract artifacts are exactly what the pinned compiler makes of the sources. */
import { describe, expect, it } from 'vitest';
import { compileContracts } from '../../scripts/build-contracts.ts';
import * as artifacts from '../../src/chain/contract-artifacts.ts';

describe('contract artifacts', () => {
  it('match a fresh compilation of contracts/*.sol (run `npm run contracts:build` after a change)', () => {
    const compiled = compileContracts();
    expect(artifacts.anchorAbi).toEqual(compiled.Anchor.abi);
    expect(artifacts.anchorBytecode).toBe(compiled.Anchor.bytecode);
    expect(artifacts.keyRegistryAbi).toEqual(compiled.KeyRegistry.abi);
    expect(artifacts.keyRegistryBytecode).toBe(compiled.KeyRegistry.bytecode);
  }, 60_000);
});
