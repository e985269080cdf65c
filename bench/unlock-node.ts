/**
 * Unlock time in Node: Cairn's vault decryption (PBKDF2-HMAC-SHA256 → AES-256-GCM,
 * WebCrypto) and the full `Keyring.unlock`, against the reference
 * `@metamask/browser-passworder` 6 at the same iteration counts, and against a
 * pure-JS PBKDF2 (`@noble/hashes`) to show what WebCrypto buys.
 */
import { decrypt as passworderDecrypt, encrypt as passworderEncrypt } from '@metamask/browser-passworder';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryKeyValueStore } from '../src/keyring/key-value-store.ts';
import { Keyring } from '../src/keyring/keyring.ts';
import { decryptVault, decryptVaultWithKey } from '../src/keyring/vault-cipher.ts';
import {
  CURRENT_PBKDF2_ITERATIONS,
  MIN_PBKDF2_ITERATIONS,
  parseVault,
  VAULT_STORAGE_KEY,
} from '../src/keyring/vault-format.ts';
import { TEST_MNEMONIC } from '../test/e2e/support/popup-flows.ts';
import { formatMs, p90Note, type Summary, sampleInterleaved, type TimedCase } from './stats.ts';
import type { Table } from './table.ts';

export const BENCH_PASSWORD = 'correct horse battery staple';

export interface UnlockNodeRow extends Summary {
  implementation: string;
  iterations: number;
}

export interface UnlockNodeOptions {
  runs: number;
  /** Progress lines (stderr), so stdout keeps only the tables. */
  log?: (line: string) => void;
}

/** A vault holding the test phrase, created by Cairn's own keyring at `iterations`. */
async function createFixture(iterations: number) {
  const vaultStore = new MemoryKeyValueStore();
  const sessionStore = new MemoryKeyValueStore();
  // kdfIterations = the vault's own count, so unlock never adds an upgrade re-encryption.
  const keyring = new Keyring({ vaultStore, sessionStore, kdfIterations: iterations });
  await keyring.createFromMnemonic(BENCH_PASSWORD, TEST_MNEMONIC);
  await keyring.lock();
  const stored = await vaultStore.get(VAULT_STORAGE_KEY);
  const vault = parseVault(stored);
  if (vault.kdf.iterations !== iterations) throw new Error(`fixture has ${vault.kdf.iterations} iterations`);
  const { secrets } = await decryptVault(BENCH_PASSWORD, vault);
  const passworderVault = await passworderEncrypt(BENCH_PASSWORD, secrets, undefined, undefined, {
    algorithm: 'PBKDF2',
    params: { iterations },
  });
  return { keyring, stored, passworderVault };
}

/** Every implementation at CURRENT and MIN iterations, interleaved: 1 warm-up round, then `runs` rounds. */
export async function benchUnlockNode({ runs, log = () => {} }: UnlockNodeOptions): Promise<UnlockNodeRow[]> {
  const cases: (TimedCase & { implementation: string; iterations: number })[] = [];
  for (const iterations of [CURRENT_PBKDF2_ITERATIONS, MIN_PBKDF2_ITERATIONS]) {
    const { keyring, stored, passworderVault } = await createFixture(iterations);
    const timed = (implementation: string, run: () => Promise<unknown>, reset?: () => Promise<void>) => {
      cases.push({
        implementation,
        iterations,
        run: async () => {
          await run();
          return undefined;
        },
        ...(reset ? { reset } : {}),
      });
    };
    timed('Cairn parseVault + decryptVault (WebCrypto)', () =>
      decryptVault(BENCH_PASSWORD, parseVault(stored)),
    );
    timed(
      'Cairn Keyring.unlock (full, MemoryKeyValueStore)',
      () => keyring.unlock(BENCH_PASSWORD),
      () => keyring.lock(),
    );
    timed('@metamask/browser-passworder 6 decrypt (WebCrypto)', () =>
      passworderDecrypt(BENCH_PASSWORD, passworderVault),
    );
    timed('@noble/hashes pbkdf2 (pure JS) + AES-GCM', async () => {
      // Same vault, same derived key: decryption fails unless the pure-JS key is right.
      const vault = parseVault(stored);
      const raw = pbkdf2(sha256, BENCH_PASSWORD, vault.kdf.salt, { c: vault.kdf.iterations, dkLen: 32 });
      const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
      raw.fill(0);
      return decryptVaultWithKey(key, vault);
    });
  }
  const summaries = await sampleInterleaved(cases, runs, (round) =>
    log(
      `unlock (Node): ${round === 0 ? 'warm-up round' : `round ${round}/${runs}`} of ${cases.length} cases…`,
    ),
  );
  return cases.map(({ implementation, iterations }, i) => {
    const summary = summaries[i];
    if (!summary) throw new Error(`no summary for ${implementation}`);
    return { implementation, iterations, ...summary };
  });
}

export function unlockNodeTable(rows: UnlockNodeRow[]): Table {
  const runs = rows[0]?.runs ?? 0;
  return {
    title: `Unlock in Node ${process.version} (${runs} timed runs each, interleaved, after 1 warm-up)`,
    columns: [
      { header: 'implementation' },
      { header: 'iterations', align: 'right' },
      { header: 'median ms', align: 'right' },
      { header: 'p90 ms', align: 'right' },
    ],
    rows: rows.map((row) => [
      row.implementation,
      row.iterations.toLocaleString('en-US'),
      formatMs(row.medianMs),
      formatMs(row.p90Ms),
    ]),
    notes: [
      'All rows open a vault holding the "test … junk" phrase with the same password.',
      'Keyring.unlock adds the unlock throttle, HD account derivation and the session-key write.',
      p90Note(runs),
    ],
  };
}
