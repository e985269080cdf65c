/** Recent KeyRegistry misses: remembered for a while, per address whatever its case, bounded. */
import { describe, expect, it } from 'vitest';
import { REGISTRY_MISS_MS, RegistryMisses } from '../../../src/background/messaging/registry-misses';

const A = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

describe('RegistryMisses', () => {
  it('remembers a miss for REGISTRY_MISS_MS, then forgets it', () => {
    let now = 1_000;
    const misses = new RegistryMisses(() => now);
    expect(misses.has(A)).toBe(false);
    misses.add(A.toLowerCase() as `0x${string}`);
    expect(misses.has(A)).toBe(true);
    now += REGISTRY_MISS_MS - 1;
    expect(misses.has(A)).toBe(true);
    now += 1;
    expect(misses.has(A)).toBe(false);
  });

  it('keeps at most 1,000 misses, dropping the oldest', () => {
    const misses = new RegistryMisses(() => 0);
    const address = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as `0x${string}`;
    for (let i = 1; i <= 1001; i++) misses.add(address(i));
    expect(misses.has(address(1))).toBe(false);
    expect(misses.has(address(2))).toBe(true);
    expect(misses.has(address(1001))).toBe(true);
  });
});
